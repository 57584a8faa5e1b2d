import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { ArtworkStore, isInside, TEMP_PREFIX } from './artwork-store.js';

export interface ArtworkEvictionPolicy {
  /** The cache is trimmed (least recently used first) until it holds at most this many bytes. */
  maxBytes: number;
  /** Copies not used for this many days go whatever the total. */
  maxAgeDays: number;
}

export interface ArtworkEvictionResult {
  removedFiles: number;
  removedBytes: number;
}

interface CachedFile {
  path: string;
  size: number;
  /** Last use: the later of atime and mtime (serving a copy refreshes its mtime now and then). */
  usedAt: number;
  temp: boolean;
}

const DAY_MS = 86_400_000;
/** A temporary file younger than this may still be being written: left alone. */
const TEMP_GRACE_MS = 3600_000;

/**
 * Keeps the resized-artwork cache (`<dataDir>/cache/artwork`) bounded: copies unused for
 * `maxAgeDays` go, then the least recently used until the total is at most `maxBytes`. Only regular
 * files inside that folder are ever deleted; symlinks are neither followed nor removed. Anything
 * deleted is simply made again on its next request.
 */
@Injectable()
export class ArtworkCacheEviction {
  private readonly logger = new Logger(ArtworkCacheEviction.name);

  constructor(private readonly store: ArtworkStore) {}

  async evict(policy: ArtworkEvictionPolicy, now = Date.now()): Promise<ArtworkEvictionResult> {
    if (!(policy.maxBytes >= 0) || !(policy.maxAgeDays >= 0)) throw new Error('maxBytes and maxAgeDays must be zero or more');
    const root = this.store.cacheRoot;
    const files: CachedFile[] = [];
    const dirs: string[] = [];
    await walk(root, root, files, dirs);

    const result: ArtworkEvictionResult = { removedFiles: 0, removedBytes: 0 };
    const cutoff = now - policy.maxAgeDays * DAY_MS;
    const kept: CachedFile[] = [];
    for (const file of files) {
      if (file.temp && file.usedAt > now - TEMP_GRACE_MS) continue;
      if (file.usedAt < cutoff) await this.remove(file, result);
      else kept.push(file);
    }
    let total = kept.reduce((sum, file) => sum + file.size, 0);
    kept.sort((a, b) => a.usedAt - b.usedAt || a.path.localeCompare(b.path));
    for (const file of kept) {
      if (total <= policy.maxBytes) break;
      if (await this.remove(file, result)) total -= file.size;
    }
    // Folders left empty go too (deepest first); the cache root stays.
    for (const dir of dirs.sort((a, b) => b.length - a.length)) await rmdir(dir).catch(() => undefined);
    if (result.removedFiles) this.logger.log(`Evicted ${result.removedFiles} resized artwork files (${result.removedBytes} bytes)`);
    return result;
  }

  private async remove(file: CachedFile, result: ArtworkEvictionResult): Promise<boolean> {
    try {
      await unlink(file.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn(`Could not evict ${file.path}: ${(error as Error).message}`);
      return false;
    }
    result.removedFiles++;
    result.removedBytes += file.size;
    return true;
  }
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
      files.push({ path, size: info.size, usedAt: Math.max(info.atimeMs, info.mtimeMs), temp: name.startsWith(TEMP_PREFIX) });
    }
  }
}
