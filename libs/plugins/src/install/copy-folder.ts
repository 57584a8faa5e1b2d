import { copyFile, lstat, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { PackageRejectedError, UnpackBudget } from './install-limits.js';

/** Checks a server folder an admin names for an install and returns its real path. */
export async function resolveSourceFolder(input: string, dataDir: string): Promise<string> {
  const folder = typeof input === 'string' ? input.trim() : '';
  if (!folder) throw new PackageRejectedError('folder is required: an absolute path on the server');
  if (folder.includes('\0')) throw new PackageRejectedError('folder contains a NUL byte');
  if (!isAbsolute(folder)) throw new PackageRejectedError(`folder "${folder}" must be an absolute path`);
  if (folder.split(/[\\/]+/).includes('..')) throw new PackageRejectedError(`folder "${folder}" must not contain ".." segments`);
  const real = await realpath(folder).catch(() => undefined);
  if (!real || !(await stat(real)).isDirectory()) throw new PackageRejectedError(`folder "${folder}" is not a directory on the server`);
  const data = await realpath(dataDir).catch(() => dataDir);
  if (isInsideOrSame(data, real)) throw new PackageRejectedError(`folder "${folder}" is inside the server's data directory`);
  return real;
}

/**
 * Copies a plugin folder into `target`: regular files and folders only (a symlink or special file
 * refuses the copy, so nothing outside the folder is pulled in), within the unpack budget, keeping
 * execute bits. `node_modules`-style dependency folders are copied like anything else.
 */
export async function copyPluginFolder(source: string, target: string): Promise<void> {
  const budget = new UnpackBudget();
  await copyDir(source, target, source, budget);
}

async function copyDir(dir: string, target: string, root: string, budget: UnpackBudget): Promise<void> {
  await mkdir(target, { recursive: true });
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const from = join(dir, entry.name);
    const name = relative(root, from);
    budget.entry(name);
    const info = await lstat(from);
    if (info.isDirectory()) {
      await copyDir(from, join(target, entry.name), root, budget);
    } else if (info.isFile()) {
      budget.add(name, info.size);
      await copyFile(from, join(target, entry.name));
    } else {
      throw new PackageRejectedError(`"${name}" in the plugin folder is a symlink or special file; the folder is refused`);
    }
  }
}

function isInsideOrSame(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
