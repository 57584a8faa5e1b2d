import { type FileHandle, open, stat, utimes } from 'node:fs/promises';
import { HttpException, HttpStatus, Injectable, Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import type { HlsRendition, HlsTranscodeJobPayload } from '@marquee/contracts';
import { JobLedger } from '@marquee/jobs';
import { MAX_RUN_SEGMENTS, SEGMENT_WAIT_MS } from '../hls.constants.js';
import { TranscodeStore } from '../sessions/transcode-store.js';
import { type HlsVariant, HlsSourceService } from '../source/hls-source.service.js';
import { HlsStorage } from '../storage/hls-storage.js';

/** How often a waiting request looks for its segment on disk, and re-checks the transcode making it. */
const POLL_MS = 100;
const RECHECK_MS = 1000;
/** A transcode of this segment that failed this recently is reported instead of being started again at once. */
const FAILURE_MEMORY_MS = 30_000;
/** A served segment's mtime is refreshed (for the cache's least-recently-used order) at most this often. */
const TOUCH_EVERY_MS = 10 * 60_000;

export interface OpenSegment {
  handle: FileHandle;
  size: number;
}

export class SegmentNotReadyException extends ServiceUnavailableException {
  constructor() {
    super(`The segment is still being transcoded; retry in a moment`);
  }
}

/** Ends of a transcode that mean its viewers moved on (a stop call, a seek), rather than that it broke. */
const ABANDONED = new Set<string | undefined>(['stopped', 'superseded']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Serves a segment from the cache, or waits for it while an `hls-transcode` job makes it. Segments
 * reach the cache by an atomic rename once ffmpeg has finished them, so a file there is complete.
 * The request keeps the transcode making it leased, starts one when none will make it soon (a
 * first request, a seek, a worker that died), and gives up within hls.js's first-byte limit.
 */
@Injectable()
export class HlsSegmentsService {
  private readonly logger = new Logger(HlsSegmentsService.name);

  constructor(
    private readonly sources: HlsSourceService,
    private readonly store: TranscodeStore,
    private readonly storage: HlsStorage,
    private readonly ledger: JobLedger,
  ) {}

  /**
   * `signal` aborts the wait when the client goes away. A wait also ends (503) when the transcode it
   * waits for is stopped by a stop call or superseded by a seek: the player has moved on, and a
   * request still in flight must not start the transcode again.
   */
  async open(
    itemId: string,
    rendition: HlsRendition,
    index: number,
    audio: number | undefined,
    userId: string,
    signal?: AbortSignal,
  ): Promise<OpenSegment> {
    const source = await this.sources.load(itemId);
    const variant = this.sources.variant(source, rendition, audio);
    const count = variant.plan.durationsMs.length;
    if (index >= count) throw new NotFoundException(`Segment ${index} is past the end: this rendition has ${count} segments`);
    const path = this.storage.segmentFile(variant.key, index);

    const deadline = Date.now() + SEGMENT_WAIT_MS;
    let recheckAt = 0;
    let waitingOn: string | undefined;
    for (;;) {
      const segment = await openIfPresent(path);
      if (segment) {
        if (signal?.aborted) {
          await segment.handle.close();
          throw new SegmentNotReadyException();
        }
        await this.store.touchCovering(variant.key, index, userId);
        if (Date.now() - segment.mtimeMs > TOUCH_EVERY_MS) void utimes(path, new Date(), new Date()).catch(() => undefined);
        return segment;
      }
      if (signal?.aborted) throw new SegmentNotReadyException();
      if (Date.now() >= recheckAt) {
        recheckAt = Date.now() + RECHECK_MS;
        if (waitingOn && ABANDONED.has(await this.store.stateOf(waitingOn))) throw new SegmentNotReadyException();
        waitingOn = await this.ensureTranscode(variant, index, path, userId);
      }
      if (Date.now() >= deadline) throw new SegmentNotReadyException();
      await sleep(POLL_MS);
    }
  }

  /**
   * Makes sure a live transcode will make `index` soon, starting one if needed, and leases it for the
   * caller. Returns its id, or undefined when the segment turned out to be made already.
   */
  private async ensureTranscode(variant: HlsVariant, index: number, path: string, userId: string): Promise<string | undefined> {
    const { source, rendition } = variant;
    const count = variant.plan.durationsMs.length;
    const request = {
      itemId: source.item.id,
      fileId: source.file.id,
      variantKey: variant.key,
      rendition: rendition.name,
      audioStreamIndex: variant.audioStreamIndex,
      startSegment: index,
      lastSegment: Math.min(count - 1, index + MAX_RUN_SEGMENTS - 1),
      userId,
    };
    const failure = await this.store.recentFailure(variant.key, index, FAILURE_MEMORY_MS);
    if (failure) throw new HttpException(`Transcoding this segment failed: ${failure}`, HttpStatus.BAD_GATEWAY);
    if (await this.store.endedShortOf(variant.key, index))
      throw new NotFoundException(`Segment ${index} has no media: the source ends before the duration its container declares`);
    const found = await this.store.findOrStart(request, async () => (await stat(path).catch(() => undefined))?.isFile() === true);
    if (!found) return undefined;
    const { transcode, created } = found;
    if (created) {
      try {
        const payload: HlsTranscodeJobPayload = { transcodeId: transcode.id };
        const job = await this.ledger.enqueue(
          'hls-transcode',
          'transcode',
          payload,
          { type: 'item', id: source.item.id, label: `${source.item.title} · ${rendition.name} from segment ${index}` },
          { priority: 'interactive', attempts: 1 },
        );
        await this.store.setJob(transcode.id, job.id);
      } catch (error) {
        await this.store.end([transcode.id], 'failed', `could not queue the transcode: ${(error as Error).message}`);
        throw error;
      }
      this.logger.debug(`started transcode ${transcode.id} of ${variant.key} at segment ${index}`);
    } else {
      await this.store.touch([transcode.id], userId, index);
    }
    await this.store.stopNeglected(source.item.id, userId, transcode.id);
    return transcode.id;
  }
}

async function openIfPresent(path: string): Promise<(OpenSegment & { mtimeMs: number }) | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    return undefined;
  }
  return { handle, size: info.size, mtimeMs: info.mtimeMs };
}
