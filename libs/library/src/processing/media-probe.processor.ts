import { Processor } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { isTextSubtitleCodec, type MediaFileJobPayload, type QueueName } from '@marquee/contracts';
import { AppConfig, resolveBinary } from '@marquee/core';
import { type JobContext, LedgerProcessor, QUEUE_POLICIES, WORKER_OPTIONS } from '@marquee/jobs';
import { MediaProbeError, probeFile } from '@marquee/media';
import { type Job, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { MediaFile } from '../entities/media-file.entity.js';
import { MediaStream } from '../entities/media-stream.entity.js';
import { MediaFileLoader } from './media-file-loader.js';
import { MediaPipeline } from './media-pipeline.js';

const PROBE_TIMEOUT_MS = 60_000;

/** `media-probe`: ffprobe → container, duration, bitrate and every stream; then the next jobs. */
@Processor('media-probe', { ...WORKER_OPTIONS, concurrency: QUEUE_POLICIES['media-probe'].concurrency })
export class MediaProbeProcessor extends LedgerProcessor {
  protected readonly queueName: QueueName = 'media-probe';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly files: MediaFileLoader,
    private readonly pipeline: MediaPipeline,
  ) {
    super();
  }

  protected async handle(job: Job<MediaFileJobPayload>, ctx: JobContext): Promise<Record<string, unknown>> {
    const { file, item } = await this.files.load(job.data);
    await ctx.progress(10, 'probing');
    const ffprobe = resolveBinary('ffprobe', this.config.ffprobePath).path;
    let probe;
    try {
      probe = await probeFile(ffprobe, file.path, { timeoutMs: PROBE_TIMEOUT_MS, signal: ctx.signal });
    } catch (error) {
      // A corrupt or truncated file will not get better by trying again.
      if (error instanceof MediaProbeError) throw new UnrecoverableError(error.message);
      throw error;
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.update(
        MediaFile,
        { id: file.id },
        { container: probe.container, durationMs: probe.durationMs, bitrate: probe.bitrate, probedAt: new Date() },
      );
      await manager.delete(MediaStream, { fileId: file.id });
      if (probe.streams.length)
        await manager.insert(
          MediaStream,
          probe.streams.map((stream) => ({
            fileId: file.id,
            streamIndex: stream.index,
            type: stream.type,
            codec: stream.codec,
            profile: stream.profile?.slice(0, 64) ?? null,
            language: stream.language?.slice(0, 16) ?? null,
            title: stream.title,
            width: stream.width,
            height: stream.height,
            frameRate: stream.frameRate,
            bitrate: stream.bitrate,
            bitDepth: stream.bitDepth,
            sampleRate: stream.sampleRate,
            channels: stream.channels,
            channelLayout: stream.channelLayout?.slice(0, 32) ?? null,
            hdr: stream.hdr,
            rotation: stream.rotation,
            sampleAspectRatio: stream.sampleAspectRatio,
            interlaced: stream.interlaced,
            isDefault: stream.isDefault,
            isForced: stream.isForced,
          })),
        );
      // A film in several parts lasts as long as its parts together.
      await manager.query(
        `UPDATE media_items SET "durationMs" = (SELECT sum("durationMs") FROM media_files WHERE "itemId" = $1 AND "missingSince" IS NULL) WHERE id = $1`,
        [item.id],
      );
    });
    if (job.data.streamsOnly) await ctx.log('streams recorded; nothing else is redone (the library is being probed again)');
    else {
      await ctx.progress(90, 'queueing fingerprint and artwork');
      await this.pipeline.afterProbe({
        id: file.id,
        category: file.category,
        itemId: item.id,
        label: job.data && item.title,
        textSubtitleStreams: probe.streams.filter((stream) => stream.type === 'subtitle' && isTextSubtitleCodec(stream.codec)).length,
      });
    }
    const video = probe.streams.find((stream) => stream.type === 'video');
    const audio = probe.streams.find((stream) => stream.type === 'audio');
    return {
      container: probe.container,
      durationMs: probe.durationMs,
      streams: probe.streams.length,
      ...(video ? { video: `${video.codec} ${video.width}x${video.height}` } : {}),
      ...(audio
        ? { audio: `${audio.codec} ${audio.channels}ch${audio.bitDepth ? ` ${audio.bitDepth}-bit` : ''} ${audio.sampleRate ?? ''}Hz` }
        : {}),
    };
  }
}
