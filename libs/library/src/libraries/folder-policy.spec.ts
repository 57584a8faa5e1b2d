import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderRejectedError, validateLibraryFolder } from './folder-policy.js';

describe('validateLibraryFolder', () => {
  let base: string;
  let dataDir: string;
  let root: string;
  let outside: string;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'marquee-folder-policy-'));
    dataDir = join(base, 'data');
    root = join(base, 'media');
    outside = join(base, 'elsewhere');
    for (const dir of [dataDir, join(root, 'films'), outside]) mkdirSync(dir, { recursive: true });
    symlinkSync(outside, join(root, 'link-out'));
    symlinkSync(join(root, 'films'), join(base, 'link-in'));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const refusal = async (folder: string, roots: string[] = []) => {
    const error = await validateLibraryFolder(folder, dataDir, roots).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FolderRejectedError);
    return (error as Error).message;
  };

  it('accepts any readable folder when the server has no library roots, returning its real path', async () => {
    await expect(validateLibraryFolder(outside, dataDir)).resolves.toBe(outside);
    await expect(validateLibraryFolder(join(root, 'link-out'), dataDir)).resolves.toBe(outside);
  });

  it('accepts a folder inside a root, also through a symlink that leads inside', async () => {
    await expect(validateLibraryFolder(join(root, 'films'), dataDir, [root])).resolves.toBe(join(root, 'films'));
    await expect(validateLibraryFolder(root, dataDir, [root])).resolves.toBe(root);
    await expect(validateLibraryFolder(join(base, 'link-in'), dataDir, [root])).resolves.toBe(join(root, 'films'));
  });

  it('refuses a folder outside every root, and a symlink in a root that leads out of it', async () => {
    expect(await refusal(outside, [root])).toBe(`Folder "${outside}" is outside the folders this server may serve (${root})`);
    expect(await refusal(join(root, 'link-out'), [root])).toBe(
      `Folder "${join(root, 'link-out')}" resolves to "${outside}", outside the folders this server may serve (${root})`,
    );
  });

  it('refuses ".." segments, relative paths, missing folders, files, the data dir and the filesystem root', async () => {
    expect(await refusal(`${root}/../elsewhere`)).toMatch(/must not contain "\.\." segments$/);
    expect(await refusal('media/films')).toMatch(/must be an absolute path$/);
    expect(await refusal(join(base, 'none-such'))).toMatch(/does not exist or cannot be resolved by the server$/);
    expect(await refusal(join(dataDir, 'sub'))).toMatch(/does not exist/);
    expect(await refusal(dataDir)).toMatch(/overlaps the server's data directory$/);
    expect(await refusal(base)).toMatch(/overlaps the server's data directory$/);
    expect(await refusal('/')).toMatch(/overlaps the server's data directory$|is the filesystem root$/);
  });
});
