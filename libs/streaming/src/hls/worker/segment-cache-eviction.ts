import { Injectable, Logger } from '@nestjs/common';
import { type CacheEvictionResult, evictCacheFolder } from '@marquee/media';
import { HlsStorage } from '../storage/hls-storage.js';

export interface SegmentEvictionPolicy {
  /** The cache is trimmed, least recently used first, to at most this many bytes. */
  maxBytes: number;
  /** Segments unused for this long go whatever the total. */
  maxAgeHours: number;
}

export type SegmentEvictionResult = CacheEvictionResult;

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
    const result = await evictCacheFolder(
      this.storage.cacheRoot,
      { maxBytes: policy.maxBytes, maxAgeMs: policy.maxAgeHours * HOUR_MS },
      { now, onError: (path, error) => this.logger.warn(`Could not evict ${path}: ${error.message}`) },
    );
    if (result.removedFiles) this.logger.log(`Evicted ${result.removedFiles} HLS segments (${result.removedBytes} bytes)`);
    return result;
  }
}
