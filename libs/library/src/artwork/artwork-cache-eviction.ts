import { Injectable, Logger } from '@nestjs/common';
import { evictCacheFolder } from '@marquee/media';
import { ArtworkStore, TEMP_PREFIX } from './artwork-store.js';

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
    const { removedFiles, removedBytes } = await evictCacheFolder(
      this.store.cacheRoot,
      { maxBytes: policy.maxBytes, maxAgeMs: policy.maxAgeDays * DAY_MS },
      {
        now,
        leaveAlone: (file, at) => file.name.startsWith(TEMP_PREFIX) && file.usedAt > at - TEMP_GRACE_MS,
        onError: (path, error) => this.logger.warn(`Could not evict ${path}: ${error.message}`),
      },
    );
    if (removedFiles) this.logger.log(`Evicted ${removedFiles} resized artwork files (${removedBytes} bytes)`);
    return { removedFiles, removedBytes };
  }
}
