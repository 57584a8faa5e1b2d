import { Processor } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MediaFileJobPayload, QueueName } from '@marquee/contracts';
import { AppConfig, resolveBinary } from '@marquee/core';
import { type JobContext, LedgerProcessor, QUEUE_POLICIES, WORKER_OPTIONS } from '@marquee/jobs';
import { md5File, oshash, videoPhash } from '@marquee/media';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { MediaFile } from '../entities/media-file.entity.js';
import { MediaFileLoader } from './media-file-loader.js';
import { MediaPipeline } from './media-pipeline.js';

/** `fingerprint`: md5 and oshash (Stash/StashDB-compatible) of a file; a video pHash when enabled. */
@Processor('fingerprint', { ...WORKER_OPTIONS, concurrency: QUEUE_POLICIES.fingerprint.concurrency })
export class FingerprintProcessor extends LedgerProcessor {
  protected readonly queueName: QueueName = 'fingerprint';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly files: MediaFileLoader,
    private readonly pipeline: MediaPipeline,
  ) {
    super();
  }

  protected async handle(job: Job<MediaFileJobPayload>, ctx: JobContext): Promise<Record<string, unknown>> {
    const { file } = await this.files.load(job.data);
    if (file.archiveEntry) return { skipped: 'an image inside an archive has no file of its own to fingerprint' };
    await ctx.progress(5, 'oshash');
    const os = await oshash(file.path);
    await ctx.progress(10, 'md5');
    const md5 = await md5File(file.path, ctx.signal);
    let phash: string | null = null;
    if (file.category === 'video' && file.durationMs && (await this.pipeline.videoPhashEnabled())) {
      await ctx.progress(60, 'video pHash');
      const ffmpeg = resolveBinary('ffmpeg', this.config.ffmpegPath).path;
      phash = await videoPhash(ffmpeg, file.path, file.durationMs, { timeoutMs: 300_000, signal: ctx.signal });
    }
    await this.dataSource
      .getRepository(MediaFile)
      .update({ id: file.id }, { md5, oshash: os, ...(phash ? { phash } : {}), fingerprintedAt: new Date() });
    return { md5, oshash: os, ...(phash ? { phash } : {}) };
  }
}
