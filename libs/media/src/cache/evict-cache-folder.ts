import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';

export interface CacheEvictionPolicy {
  /** The folder is trimmed, least recently used first, until it holds at most this many bytes. */
  maxBytes: number;
  /** Files unused for this long go whatever the total. */
  maxAgeMs: number;
}

export interface CacheEvictionResult {
  removedFiles: number;
  removedBytes: number;
  keptBytes: number;
}

export interface CachedFile {
  path: string;
  name: string;
  size: number;
  /** Last use: the later of atime and mtime (a cache refreshes a file's mtime when it serves it, now and then). */
  usedAt: number;
}

export interface CacheEvictionOptions {
  now?: number;
  /** Files never to remove (nor count), e.g. temporary files still being written. */
  leaveAlone?: (file: CachedFile, now: number) => boolean;
  /** A file that could not be removed (other than already gone). */
  onError?: (path: string, error: Error) => void;
}

/**
 * Keeps a cache folder bounded: files unused for `maxAgeMs` go, then the least recently used until
 * the total is at most `maxBytes`. Only regular files inside `root` are deleted; symlinks are
 * neither followed nor removed; folders left empty go (the root stays).
 */
export async function evictCacheFolder(
  root: string,
  policy: CacheEvictionPolicy,
  options: CacheEvictionOptions = {},
): Promise<CacheEvictionResult> {
  if (!(policy.maxBytes >= 0) || !(policy.maxAgeMs >= 0)) throw new Error('maxBytes and the maximum age must be zero or more');
  const now = options.now ?? Date.now();
  const files: CachedFile[] = [];
  const dirs: string[] = [];
  await walk(root, root, files, dirs);

  const result: CacheEvictionResult = { removedFiles: 0, removedBytes: 0, keptBytes: 0 };
  const remove = async (file: CachedFile): Promise<boolean> => {
    try {
      await unlink(file.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') options.onError?.(file.path, error as Error);
      return false;
    }
    result.removedFiles++;
    result.removedBytes += file.size;
    return true;
  };

  const cutoff = now - policy.maxAgeMs;
  const kept: CachedFile[] = [];
  for (const file of files) {
    if (options.leaveAlone?.(file, now)) continue;
    if (file.usedAt < cutoff) await remove(file);
    else kept.push(file);
  }
  let total = kept.reduce((sum, file) => sum + file.size, 0);
  kept.sort((a, b) => a.usedAt - b.usedAt || a.path.localeCompare(b.path));
  for (const file of kept) {
    if (total <= policy.maxBytes) break;
    if (await remove(file)) total -= file.size;
  }
  result.keptBytes = total;
  for (const dir of dirs.sort((a, b) => b.length - a.length)) await rmdir(dir).catch(() => undefined);
  return result;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

async function walk(root: string, dir: string, files: CachedFile[], dirs: string[]): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (!isInside(root, path)) continue;
    const info = await lstat(path).catch(() => undefined);
    if (!info) continue;
    if (info.isDirectory()) {
      dirs.push(path);
      await walk(root, path, files, dirs);
    } else if (info.isFile()) {
      files.push({ path, name, size: info.size, usedAt: Math.max(info.atimeMs, info.mtimeMs) });
    }
  }
}
