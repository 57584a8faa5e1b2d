import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Processor } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { isTextSubtitleCodec, type MediaFileJobPayload, type QueueName } from '@marquee/contracts';
import { AppConfig, resolveBinary } from '@marquee/core';
import { type JobContext, LedgerProcessor, QUEUE_POLICIES, WORKER_OPTIONS } from '@marquee/jobs';
import { MediaStream } from '@marquee/library';
import { FfmpegError } from '@marquee/media';
import { type Job, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { PARTS_LIST_FILE, preparePartsInput } from '../parts/concat-list.js';
import { extractSubtitleStreams, type SubtitleOutput } from './extract-subtitle-streams.js';
import { SubtitleStore } from './subtitle-store.js';
import { unprobedPart, VideoSources } from './video-source.js';

const MIN_TIMEOUT_MS = 2 * 60_000;
const MAX_TIMEOUT_MS = 30 * 60_000;

/** ffmpeg reads the whole file once: allow half the running time, within bounds. */
export function extractTimeoutMs(durationMs: number | null): number {
  return Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, Math.round((durationMs ?? 0) / 2)));
}

/**
 * `extract-subtitles`: every embedded text subtitle stream of an item's video file not yet in the
 * cache becomes a WebVTT file in one ffmpeg pass (`-map 0:<index> -f webvtt`, indexes from the
 * catalogue). Image-based streams (PGS, DVD) are skipped: they cannot become text. A film in parts
 * is read through the concat demuxer, so each track runs over all the parts, as HLS plays them.
 */
@Processor('extract-subtitles', { ...WORKER_OPTIONS, concurrency: QUEUE_POLICIES['extract-subtitles'].concurrency })
export class ExtractSubtitlesProcessor extends LedgerProcessor {
  protected readonly queueName: QueueName = 'extract-subtitles';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly sources: VideoSources,
    private readonly store: SubtitleStore,
  ) {
    super();
  }

  protected async handle(job: Job<MediaFileJobPayload>, ctx: JobContext): Promise<Record<string, unknown>> {
    const source = await this.sources.forJob(job.data);
    if (!source) return { skipped: 'not the video its item plays (another version of the film)' };
    const { item, file, parts, durationMs, version } = source;
    const unprobed = unprobedPart(source);
    if (unprobed)
      return { skipped: `part ${unprobed} of ${parts.length} is not probed yet; the job of the last part probed extracts the tracks` };
    const streams = await this.dataSource
      .getRepository(MediaStream)
      .find({ where: { fileId: file.id, type: 'subtitle' }, order: { streamIndex: 'ASC' } });
    const text = streams.filter((stream) => isTextSubtitleCodec(stream.codec));
    const images = streams.length - text.length;
    if (text.length === 0) return { extracted: [], skippedImageStreams: images, note: 'no text subtitle streams' };
    const missing: number[] = [];
    for (const stream of text)
      if ((await this.store.read(item.id, version, stream.streamIndex)) === undefined) missing.push(stream.streamIndex);
    if (missing.length === 0) return { extracted: [], cached: text.map((stream) => stream.streamIndex) };

    await this.store.prepare(item.id, version);
    const outputs: SubtitleOutput[] = missing.map((streamIndex) => ({
      streamIndex,
      path: this.store.tempPath(item.id, version, streamIndex),
    }));
    await ctx.progress(5, `extracting stream${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    const ffmpeg = resolveBinary('ffmpeg', this.config.ffmpegPath).path;
    const durationS = (durationMs ?? 0) / 1000;
    const listFolder = this.store.versionDir(item.id, version);
    try {
      const input = await preparePartsInput(
        parts.map((part) => ({ path: part.path, durationMs: part.durationMs ?? 0 })),
        listFolder,
      );
      await extractSubtitleStreams(ffmpeg, input, outputs, {
        timeoutMs: extractTimeoutMs(durationMs),
        signal: ctx.signal,
        onProgress: (seconds) => {
          if (durationS > 0)
            ctx
              .progress(5 + Math.min(90, (seconds / durationS) * 90), `read ${Math.round(seconds)} s of ${Math.round(durationS)} s`)
              .catch(() => undefined);
        },
      });
      for (const output of outputs) {
        const head = (await readFile(output.path, 'utf8')).slice(0, 6);
        if (head !== 'WEBVTT') throw new UnrecoverableError(`ffmpeg wrote no WebVTT for stream ${output.streamIndex} of ${file.path}`);
      }
      for (const output of outputs) await this.store.publish(output.path, item.id, version, output.streamIndex);
    } catch (error) {
      await this.store.discard(outputs.map((output) => output.path));
      if (error instanceof FfmpegError && !/timed out/.test(error.message))
        // A file ffmpeg cannot read will not read better on a retry.
        throw new UnrecoverableError(`Could not extract subtitles from ${file.path}: ${error.message}`);
      throw error;
    } finally {
      await this.store.discard([join(listFolder, PARTS_LIST_FILE)]);
    }
    await this.store.removeOtherVersions(item.id, version);
    return { extracted: missing, skippedImageStreams: images, ...(parts.length > 1 ? { parts: parts.length } : {}) };
  }
}
