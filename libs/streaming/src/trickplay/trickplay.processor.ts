import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Processor } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { pictureTreatmentOf } from '@marquee/library/processing/picture-treatment.js';
import type { MediaFileJobPayload, QueueName } from '@marquee/contracts';
import { AppConfig, resolveBinary } from '@marquee/core';
import { type JobContext, LedgerProcessor, QUEUE_POLICIES, WORKER_OPTIONS } from '@marquee/jobs';
import { FfmpegError } from '@marquee/media';
import { type Job, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { preparePartsInput } from '../parts/concat-list.js';
import { unprobedPart, VideoSources } from '../subtitles/video-source.js';
import { extractFrames, tileSprites } from './render-trickplay.js';
import { type TrickplayManifest, trickplayVtt } from './trickplay-manifest.js';
import { planTrickplay, SHEET_COLUMNS, SHEET_ROWS, TILE_WIDTH } from './trickplay-plan.js';
import { TrickplayStore } from './trickplay-store.js';

const MIN_TIMEOUT_MS = 2 * 60_000;
const MAX_TIMEOUT_MS = 6 * 3600_000;

/** ffmpeg decodes the whole video: two minutes plus one and a half times its running time, at most six hours. */
export function trickplayTimeoutMs(durationMs: number): number {
  return Math.min(MAX_TIMEOUT_MS, MIN_TIMEOUT_MS + Math.round(durationMs * 1.5));
}

/**
 * `trickplay`: thumbnails of an item's video every few seconds (ffmpeg, 320 px wide), tiled into
 * 10 × 10 sprite sheets (sharp), with a WebVTT thumbnails track; kept per version of the file. A film
 * in parts gets one track over all its parts, on the timeline HLS plays them on.
 */
@Processor('trickplay', { ...WORKER_OPTIONS, concurrency: QUEUE_POLICIES.trickplay.concurrency })
export class TrickplayProcessor extends LedgerProcessor {
  protected readonly queueName: QueueName = 'trickplay';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly sources: VideoSources,
    private readonly store: TrickplayStore,
  ) {
    super();
  }

  protected async handle(job: Job<MediaFileJobPayload>, ctx: JobContext): Promise<Record<string, unknown>> {
    const source = await this.sources.forJob(job.data);
    if (!source) return { skipped: 'not the video its item plays (another version of the film)' };
    const { item, file, parts, durationMs, version } = source;
    const existing = await this.store.manifest(item.id, version);
    if (existing) return { cached: true, thumbnails: existing.thumbnailCount, sheets: existing.sheets.length };
    const unprobed = unprobedPart(source);
    if (unprobed)
      return { skipped: `part ${unprobed} of ${parts.length} is not probed yet; the job of the last part probed makes the track` };
    if (!durationMs) throw new UnrecoverableError(`${file.path} has no known duration: it must be probed first`);

    const plan = planTrickplay(durationMs);
    const build = await this.store.startBuild(item.id);
    const framesDir = join(build, 'frames');
    await mkdir(framesDir);
    try {
      await ctx.progress(2, `${plan.frameCount} thumbnails, one every ${plan.intervalMs / 1000} s`);
      const ffmpeg = resolveBinary('ffmpeg', this.config.ffmpegPath).path;
      let frames: string[];
      try {
        const input = await preparePartsInput(
          parts.map((part) => ({ path: part.path, durationMs: part.durationMs! })),
          build,
        );
        frames = await extractFrames(ffmpeg, input, framesDir, plan, {
          tileWidth: TILE_WIDTH,
          picture: await pictureTreatmentOf(this.dataSource, file.id),
          timeoutMs: trickplayTimeoutMs(durationMs),
          signal: ctx.signal,
          onFrames: (count) =>
            ctx
              .progress(2 + (Math.min(count, plan.frameCount) / plan.frameCount) * 78, `${count} of ${plan.frameCount} thumbnails`)
              .catch(() => undefined),
        });
      } catch (error) {
        // A video ffmpeg cannot decode will not decode better on a retry; a timeout might.
        if (error instanceof FfmpegError && !/timed out/.test(error.message))
          throw new UnrecoverableError(`Could not extract thumbnails from ${file.path}: ${error.message}`);
        throw error;
      }
      if (frames.length === 0) throw new UnrecoverableError(`ffmpeg found no video frames to make thumbnails of in ${file.path}`);
      ctx.throwIfCancelled();
      const { tileHeight, sheets } = await tileSprites(frames, build, TILE_WIDTH, {
        signal: ctx.signal,
        onSheet: (done, total) => ctx.progress(80 + (done / total) * 18, `sprite sheet ${done} of ${total}`).catch(() => undefined),
      });
      await rm(framesDir, { recursive: true, force: true });
      const manifest: TrickplayManifest = {
        format: 1,
        sourceVersion: version,
        durationMs,
        intervalMs: plan.intervalMs,
        tileWidth: TILE_WIDTH,
        tileHeight,
        columns: SHEET_COLUMNS,
        rows: SHEET_ROWS,
        thumbnailCount: frames.length,
        sheets: sheets.map(({ width, height, count }) => ({ width, height, count })),
      };
      await this.store.publish(item.id, build, manifest, trickplayVtt(manifest));
      await this.store.removeOtherVersions(item.id, version);
      return { thumbnails: frames.length, sheets: sheets.length, intervalMs: plan.intervalMs, tile: `${TILE_WIDTH}x${tileHeight}` };
    } finally {
      await this.store.discard(build);
    }
  }
}
