import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { finishedSegments, SEGMENT_LIST_FILE } from '../planning/transcode-args.js';
import type { HlsPaths } from '../storage/hls-paths.js';

/**
 * Moves the segments ffmpeg has finished from the transcode's work folder into the variant's cache
 * folder. ffmpeg lists a segment in its list file only after writing the segment's trailer and
 * flushing it, and the move is a rename within one filesystem: a file in the cache is always whole.
 */
export class SegmentPublisher {
  private readonly published = new Set<number>();
  private highest = -1;

  constructor(
    private readonly paths: HlsPaths,
    private readonly variantKey: string,
    private readonly workDir: string,
    private readonly range: { first: number; last: number },
  ) {}

  /** One past the highest segment published so far (the run's first segment before any). */
  get next(): number {
    return Math.max(this.range.first, this.highest + 1);
  }

  get count(): number {
    return this.published.size;
  }

  /** Publishes what is newly finished; returns the segments it moved. */
  async publish(): Promise<number[]> {
    let list: string;
    try {
      list = await readFile(join(this.workDir, SEGMENT_LIST_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const moved: number[] = [];
    for (const index of finishedSegments(list)) {
      if (this.published.has(index) || index < this.range.first || index > this.range.last) continue;
      const target = this.paths.segmentFile(this.variantKey, index);
      await mkdir(join(target, '..'), { recursive: true });
      await rename(join(this.workDir, `${index}.ts`), target);
      this.published.add(index);
      this.highest = Math.max(this.highest, index);
      moved.push(index);
    }
    return moved;
  }
}
