import { appendFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { NewFolderSweep } from './new-folder-sweep.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const OPTIONS = { stabilityMs: 100, pollMs: 20, isIgnored: (path: string) => /^\.|\.part$/.test(basename(path)) };

describe('NewFolderSweep', () => {
  let root: string;
  let sweep: NewFolderSweep | undefined;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'marquee-sweep-'));
  });
  afterEach(async () => {
    sweep?.stop();
    await rm(root, { recursive: true, force: true });
  });

  function start() {
    const reported: string[] = [];
    sweep = new NewFolderSweep((path) => reported.push(path), OPTIONS);
    return reported;
  }

  async function until(check: () => boolean, ms = 5000) {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await sleep(20);
    }
  }

  it('reports the files of a new folder that chokidar did not, deep inside it too, skipping ignored names and symlinks', async () => {
    const folder = join(root, 'Alien (1979)');
    await mkdir(join(folder, 'Subs'), { recursive: true });
    for (const name of ['Alien (1979).mkv', 'Alien (1979).nfo', 'Subs/en.srt', '.DS_Store', 'copy.part'])
      await writeFile(join(folder, name), 'x');
    const outside = join(root, 'elsewhere.mkv');
    await writeFile(outside, 'x');
    await symlink(outside, join(folder, 'link.mkv'));
    const reported = start();
    sweep!.folderAdded(folder);
    // chokidar did see the film itself.
    expect(sweep!.shouldPass(join(folder, 'Alien (1979).mkv'))).toBe(true);

    await until(() => reported.length >= 2);
    await sleep(500);
    expect(reported.sort()).toEqual([join(folder, 'Alien (1979).nfo'), join(folder, 'Subs', 'en.srt')]);
  });

  it('waits for a file still being written, then reports it once', async () => {
    const folder = join(root, 'Copying');
    await mkdir(folder);
    const file = join(folder, 'Heat (1995).mkv');
    await writeFile(file, 'start');
    const reported = start();
    sweep!.folderAdded(folder);
    const writingUntil = Date.now() + 1000;
    while (Date.now() < writingUntil) {
      await appendFile(file, 'more');
      expect(reported).toEqual([]);
      await sleep(50);
    }
    await until(() => reported.length > 0);
    await sleep(600);
    expect(reported).toEqual([file]);
  });

  it('drops chokidar catching up with a file the sweep already reported, and passes every other path', async () => {
    const folder = join(root, 'Late');
    await mkdir(folder);
    await writeFile(join(folder, 'a.mkv'), 'x');
    const reported = start();
    sweep!.folderAdded(folder);
    await until(() => reported.length === 1);
    expect(sweep!.shouldPass(join(folder, 'a.mkv'))).toBe(false);
    expect(sweep!.shouldPass(join(folder, 'b.mkv'))).toBe(true);
    expect(sweep!.shouldPass(join(root, 'Other', 'c.mkv'))).toBe(true);
  });

  it('reports nothing once stopped', async () => {
    const folder = join(root, 'Stopped');
    await mkdir(folder);
    await writeFile(join(folder, 'a.mkv'), 'x');
    const reported = start();
    sweep!.folderAdded(folder);
    sweep!.stop();
    await sleep(600);
    expect(reported).toEqual([]);
  });
});
