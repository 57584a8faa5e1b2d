import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';

export class FolderRejectedError extends Error {
  constructor(
    readonly folder: string,
    reason: string,
  ) {
    super(`Folder "${folder}" ${reason}`);
    this.name = 'FolderRejectedError';
  }
}

/** True when `child` is `parent` or lies below it (both absolute, resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/**
 * Checks a folder an admin gives a library and returns its real path: absolute, no `..` segments,
 * an existing directory the server can list, not inside (or around) the data dir, and — when the
 * server has library roots (MARQUEE_LIBRARY_ROOTS) — inside one of them once symlinks are resolved.
 */
export async function validateLibraryFolder(input: string, dataDir: string, roots: readonly string[] = []): Promise<string> {
  if (typeof input !== 'string' || input.trim() === '') throw new FolderRejectedError(String(input), 'is empty');
  const folder = input.trim();
  if (folder.includes('\0')) throw new FolderRejectedError(folder, 'contains a NUL character');
  if (!isAbsolute(folder)) throw new FolderRejectedError(folder, 'must be an absolute path');
  if (folder.split(/[\\/]+/).includes('..')) throw new FolderRejectedError(folder, 'must not contain ".." segments');
  let real: string;
  try {
    real = await realpath(folder);
  } catch {
    throw new FolderRejectedError(folder, 'does not exist or cannot be resolved by the server');
  }
  if (!(await stat(real)).isDirectory()) throw new FolderRejectedError(folder, 'is not a directory');
  try {
    await access(real, constants.R_OK | constants.X_OK);
  } catch {
    throw new FolderRejectedError(folder, 'is not readable by the server');
  }
  const data = await realpath(dataDir).catch(() => dataDir);
  if (isInside(data, real) || isInside(real, data)) throw new FolderRejectedError(folder, "overlaps the server's data directory");
  if (real === '/') throw new FolderRejectedError(folder, 'is the filesystem root');
  if (roots.length > 0 && !roots.some((root) => isInside(root, real))) {
    const where = real === folder ? 'is' : `resolves to "${real}",`;
    throw new FolderRejectedError(folder, `${where} outside the folders this server may serve (${roots.join(', ')})`);
  }
  return real;
}

/** A path given for a partial scan or an upload must stay inside one of the library's folders. */
export async function resolveInsideFolders(path: string, folders: string[]): Promise<string | undefined> {
  if (!isAbsolute(path) || path.split(/[\\/]+/).includes('..')) return undefined;
  const real = await realpath(path).catch(() => undefined);
  const candidate = real ?? path;
  return folders.some((folder) => isInside(folder, candidate)) ? candidate : undefined;
}
