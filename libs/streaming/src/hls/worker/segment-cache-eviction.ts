import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { isInside } from '../storage/hls-paths.js';
import { HlsStorage } from '../storage/hls-storage.js';

export interface SegmentEvictionPolicy {
  /** The cache is trimmed, least recently used first, to at most this many bytes. */
  maxBytes: number;
  /** Segments unused for this long go whatever the total. */
  maxAgeHours: number;
}

export interface SegmentEvictionResult {
  removedFiles: number;
  removedBytes: number;
  keptBytes: number;
}

interface CachedSegment {
  path: string;
  size: number;
  /** Last use: the later of atime and mtime (serving a segment refreshes its mtime now and then). */
  usedAt: number;
}

const HOUR_MS = 3_600_000;

/**
 * Keeps the segment cache (`<dataDir>/transcodes/cache`) bounded by age and size. Only regular files
 * inside it are deleted, symlinks are neither followed nor removed, and folders left empty go. A
 * segment deleted while a player still wants it is simply transcoded again.
 */
@Injectable()
export class SegmentCacheEviction {
  private readonly logger = new Logger(SegmentCacheEviction.name);

  constructor(private readonly storage: HlsStorage) {}

  async evict(policy: SegmentEvictionPolicy, now = Date.now()): Promise<SegmentEvictionResult> {
    if (!(policy.maxBytes >= 0) || !(policy.maxAgeHours >= 0)) throw new Error('maxBytes and maxAgeHours must be zero or more');
    const root = this.storage.cacheRoot;
    const files: CachedSegment[] = [];
    const dirs: string[] = [];
    await walk(root, root, files, dirs);

    const result: SegmentEvictionResult = { removedFiles: 0, removedBytes: 0, keptBytes: 0 };
    const cutoff = now - policy.maxAgeHours * HOUR_MS;
    const kept: CachedSegment[] = [];
    for (const file of files) {
      if (file.usedAt < cutoff) await this.remove(file, result);
      else kept.push(file);
    }
    let total = kept.reduce((sum, file) => sum + file.size, 0);
    kept.sort((a, b) => a.usedAt - b.usedAt || a.path.localeCompare(b.path));
    for (const file of kept) {
      if (total <= policy.maxBytes) break;
      if (await this.remove(file, result)) total -= file.size;
    }
    result.keptBytes = total;
    for (const dir of dirs.sort((a, b) => b.length - a.length)) await rmdir(dir).catch(() => undefined);
    if (result.removedFiles) this.logger.log(`Evicted ${result.removedFiles} HLS segments (${result.removedBytes} bytes)`);
    return result;
  }

  private async remove(file: CachedSegment, result: SegmentEvictionResult): Promise<boolean> {
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

async function walk(root: string, dir: string, files: CachedSegment[], dirs: string[]): Promise<void> {
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
      files.push({ path, size: info.size, usedAt: Math.max(info.atimeMs, info.mtimeMs) });
    }
  }
}
