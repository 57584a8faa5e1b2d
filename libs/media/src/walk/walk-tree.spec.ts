import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { walkTree, type WalkedDirectory } from './walk-tree.js';

let base: string;
let root: string;
let outside: string;

async function file(path: string, bytes: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, Buffer.alloc(bytes, 0x61));
}

async function collect(walk: AsyncGenerator<WalkedDirectory>): Promise<WalkedDirectory[]> {
  const directories: WalkedDirectory[] = [];
  for await (const directory of walk) directories.push(directory);
  return directories;
}

interface Walked {
  directories: string[];
  errors: [path: string, code: string][];
}

async function walkHere(dir: string): Promise<Walked> {
  const errors: [string, string][] = [];
  const walk = walkTree(dir, {
    onError: (path, error) => errors.push([path, (error as NodeJS.ErrnoException).code ?? ''] as [string, string]),
  });
  return { directories: (await collect(walk)).map((d) => d.relativeDir), errors };
}

/**
 * The same walk run by `nobody` in a child process (for a test running as root, whom chmod 000 does
 * not stop): walk-tree.ts and its one import, transpiled to a folder every user can read.
 */
async function walkAsNobody(dir: string): Promise<Walked> {
  const code = await mkdtemp(join(tmpdir(), 'marquee-walk-code-'));
  try {
    await chmod(code, 0o755);
    for (const source of ['walk/walk-tree', 'async/map-limited']) {
      const text = await readFile(new URL(`../${source}.ts`, import.meta.url), 'utf8');
      const { outputText } = ts.transpileModule(text, {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      });
      await mkdir(dirname(join(code, `${source}.js`)), { recursive: true });
      await writeFile(join(code, `${source}.js`), outputText);
    }
    await writeFile(join(code, 'package.json'), '{"type":"module"}');
    const script = `
      const { walkTree } = await import(${JSON.stringify(join(code, 'walk/walk-tree.js'))});
      const errors = [];
      const directories = [];
      for await (const d of walkTree(${JSON.stringify(dir)}, { onError: (path, error) => errors.push([path, error.code ?? '']) })) directories.push(d.relativeDir);
      process.stdout.write(JSON.stringify({ directories, errors }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      uid: 65534,
      gid: 65534,
      cwd: code,
    });
    return JSON.parse(stdout) as Walked;
  } finally {
    await rm(code, { recursive: true, force: true });
  }
}

/** relativeDir → "name:size" of each file, in the order yielded. */
const summary = (directories: WalkedDirectory[]) => directories.map((d) => [d.relativeDir, d.files.map((f) => `${f.name}:${f.size}`)]);

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'marquee-walk-'));
  root = join(base, 'library');
  outside = join(base, 'elsewhere');
  await file(join(root, 'b.mkv'), 2);
  await file(join(root, 'a.mkv'), 1);
  await file(join(root, '.hidden.mkv'), 1);
  await file(join(root, '.secret', 'x.mkv'), 1);
  await file(join(root, '@eaDir', 'thumb.jpg'), 1);
  await file(join(root, '#recycle', 'old.mkv'), 1);
  await file(join(root, '$RECYCLE.BIN', 'old.mkv'), 1);
  await mkdir(join(root, 'lost+found'));
  await file(join(root, 'Movies', 'Film (2020)', 'Film (2020).mkv'), 5);
  await file(join(root, 'Movies', 'Film (2020)', 'Film (2020).en.srt'), 3);
  await file(join(root, 'Café', '東京.mkv'), 4);
  await file(join(root, 'with space', 'file name.mkv'), 6);
  await mkdir(join(root, 'empty'));
  await file(join(outside, 'private.mkv'), 9);
  // Inside the root: followed. Outside: skipped. A loop: walked once. Dangling: ignored.
  await symlink(join(root, 'Café'), join(root, 'linked-dir'));
  await symlink(join(root, 'a.mkv'), join(root, 'linked-file.mkv'));
  await symlink(outside, join(root, 'outside-dir'));
  await symlink(join(outside, 'private.mkv'), join(root, 'outside-file.mkv'));
  await symlink(root, join(root, 'Movies', 'loop'));
  await symlink(join(root, 'nowhere.mkv'), join(root, 'dangling.mkv'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('walkTree', () => {
  it('yields each directory with its files, depth-first in name order, skipping hidden names and symlinks that leave the root', async () => {
    const directories = await collect(walkTree(root));

    expect(summary(directories)).toEqual([
      ['', ['a.mkv:1', 'b.mkv:2', 'linked-file.mkv:1']],
      ['Café', ['東京.mkv:4']],
      ['Movies', []],
      ['Movies/Film (2020)', ['Film (2020).en.srt:3', 'Film (2020).mkv:5']],
      ['empty', []],
      ['with space', ['file name.mkv:6']],
    ]);
    expect(directories[0].dir).toBe(root);
    expect(directories[1].dir).toBe(join(root, 'Café'));
    expect(directories[3].files[1]).toEqual({
      name: 'Film (2020).mkv',
      path: join(root, 'Movies', 'Film (2020)', 'Film (2020).mkv'),
      size: 5,
      mtimeMs: expect.any(Number),
    });
    expect(directories[3].files[1].mtimeMs).toBeGreaterThan(Date.now() - 60_000);
  });

  it('follows a symlinked directory inside the root when it is the only way there', async () => {
    const isolated = join(base, 'isolated');
    await file(join(isolated, 'real', 'song.flac'), 7);
    await file(join(isolated, 'root', 'top.mkv'), 1);
    await symlink(join(isolated, 'real'), join(isolated, 'root', 'outside-real'));
    await mkdir(join(isolated, 'root', 'inner'));
    await file(join(isolated, 'root', 'inner', 'deep.mkv'), 2);
    await symlink(join(isolated, 'root', 'inner'), join(isolated, 'root', 'alias'));

    const directories = await collect(walkTree(join(isolated, 'root')));

    // "alias" comes first in name order, so the directory is walked through the link and not again as "inner".
    expect(summary(directories)).toEqual([
      ['', ['top.mkv:1']],
      ['alias', ['deep.mkv:2']],
    ]);
    expect(directories[1].files[0].path).toBe(join(isolated, 'root', 'alias', 'deep.mkv'));
  });

  it('includes hidden names when skipHidden is false', async () => {
    const directories = await collect(walkTree(root, { skipHidden: false }));
    const relativeDirs = directories.map((d) => d.relativeDir);
    expect(relativeDirs).toEqual([
      '',
      '#recycle',
      '$RECYCLE.BIN',
      '.secret',
      '@eaDir',
      'Café',
      'Movies',
      'Movies/Film (2020)',
      'empty',
      'lost+found',
      'with space',
    ]);
    expect(directories[0].files.map((f) => f.name)).toEqual(['.hidden.mkv', 'a.mkv', 'b.mkv', 'linked-file.mkv']);
  });

  it('reads one directory at a time: changes made between yields are seen', async () => {
    const lazy = join(base, 'lazy');
    await file(join(lazy, 'first.mkv'), 1);
    await mkdir(join(lazy, 'later'));
    const walk = walkTree(lazy);

    const first = await walk.next();
    expect(first.value).toMatchObject({ relativeDir: '', files: [{ name: 'first.mkv' }] });
    await file(join(lazy, 'later', 'added-after-first-yield.mkv'), 3);
    const second = await walk.next();
    expect(second.value).toMatchObject({ relativeDir: 'later', files: [{ name: 'added-after-first-yield.mkv', size: 3 }] });
    expect((await walk.next()).done).toBe(true);
  });

  it('reports a directory that cannot be read through onError and goes on', async () => {
    const shaky = join(base, 'shaky');
    await file(join(shaky, 'a', 'one.mkv'), 1);
    await file(join(shaky, 'b', 'two.mkv'), 1);
    const errors: Array<[string, string]> = [];
    const walk = walkTree(shaky, { onError: (path, error) => errors.push([path, (error as NodeJS.ErrnoException).code ?? error.message]) });

    expect((await walk.next()).value).toMatchObject({ relativeDir: '' });
    // Gone between being listed and being opened.
    await rm(join(shaky, 'a'), { recursive: true });
    const rest = await collect(walk);

    expect(rest.map((d) => d.relativeDir)).toEqual(['b']);
    expect(errors).toEqual([[join(shaky, 'a'), 'ENOENT']]);
  });

  it('reports a directory without read permission through onError', async () => {
    // Readable by every user, so that the walk can run as one whom chmod 000 stops (root reads through it).
    const guarded = await mkdtemp(join(tmpdir(), 'marquee-walk-guarded-'));
    await chmod(guarded, 0o755);
    await file(join(guarded, 'locked', 'secret.mkv'), 1);
    await file(join(guarded, 'open', 'fine.mkv'), 1);
    await chmod(join(guarded, 'locked'), 0o000);
    try {
      const walked = process.getuid?.() === 0 ? await walkAsNobody(guarded) : await walkHere(guarded);
      expect(walked).toEqual({ directories: ['', 'open'], errors: [[join(guarded, 'locked'), 'EACCES']] });
    } finally {
      await chmod(join(guarded, 'locked'), 0o755);
      await rm(guarded, { recursive: true, force: true });
    }
  });

  it('throws when the root is missing or not a directory, rather than yielding an empty library', async () => {
    await expect(collect(walkTree(join(base, 'no-such-root')))).rejects.toThrow(/ENOENT/);
    await expect(collect(walkTree(join(root, 'a.mkv')))).rejects.toThrow(`cannot walk ${join(root, 'a.mkv')}: it is not a directory`);
  });

  it('stops when aborted', async () => {
    const abort = new AbortController();
    const walk = walkTree(root, { signal: abort.signal });
    expect((await walk.next()).value).toMatchObject({ relativeDir: '' });
    abort.abort(new Error('cancelled by test'));
    await expect(walk.next()).rejects.toThrow('cancelled by test');
  });
});
