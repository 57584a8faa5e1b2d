import { Processor } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MediaFileJobPayload, QueueName } from '@marquee/contracts';
import { AppConfig, resolveBinary } from '@marquee/core';
import { type JobContext, LedgerProcessor, QUEUE_POLICIES, WORKER_OPTIONS } from '@marquee/jobs';
import { grabFrame, imageInfo, readZipEntry, resizeImage } from '@marquee/media';
import { type Job, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { ArtworkService } from '../artwork/artwork.service.js';
import { MediaFile } from '../entities/media-file.entity.js';
import { MediaFileLoader } from './media-file-loader.js';
import { pictureTreatmentOf } from './picture-treatment.js';

const THUMB_WIDTH = 640;
const MAX_ARCHIVE_IMAGE_BYTES = 64 * 1024 * 1024;
const FRAME_TIMEOUT_MS = 60_000;

/**
 * `thumbnail`: a frame at about 10 % of a video, or the image itself, resized with sharp and kept as
 * the item's generated thumb (folder or uploaded art always wins). Images also get their
 * dimensions recorded, and a gallery without a picture takes its first image's.
 */
@Processor('thumbnail', { ...WORKER_OPTIONS, concurrency: QUEUE_POLICIES.thumbnail.concurrency })
export class ThumbnailProcessor extends LedgerProcessor {
  protected readonly queueName: QueueName = 'thumbnail';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly files: MediaFileLoader,
    private readonly artwork: ArtworkService,
  ) {
    super();
  }

  protected async handle(job: Job<MediaFileJobPayload>, ctx: JobContext): Promise<Record<string, unknown>> {
    const { file, item } = await this.files.load(job.data);
    let source: Buffer | string;
    if (file.category === 'video') {
      const atMs = file.durationMs ? Math.round(file.durationMs * 0.1) : 1000;
      await ctx.progress(10, `frame at ${(atMs / 1000).toFixed(1)} s`);
      const ffmpeg = resolveBinary('ffmpeg', this.config.ffmpegPath).path;
      source = await grabFrame(ffmpeg, file.path, atMs, {
        timeoutMs: FRAME_TIMEOUT_MS,
        signal: ctx.signal,
        maxWidth: 1280,
        picture: await pictureTreatmentOf(this.dataSource, file.id),
      });
    } else if (file.category === 'image') {
      source = file.archiveEntry ? await readZipEntry(file.path, file.archiveEntry, MAX_ARCHIVE_IMAGE_BYTES) : file.path;
      let info;
      try {
        info = await imageInfo(source);
      } catch (error) {
        throw new UnrecoverableError(
          `${file.path}${file.archiveEntry ? ` › ${file.archiveEntry}` : ''} is not a readable image: ${(error as Error).message}`,
        );
      }
      await this.dataSource.getRepository(MediaFile).update({ id: file.id }, { width: info.width, height: info.height });
    } else {
      return { skipped: 'audio gets its artwork from the audio-tags job' };
    }
    ctx.throwIfCancelled();
    await ctx.progress(60, 'resizing');
    const thumb = await resizeImage(source, { width: THUMB_WIDTH, format: 'webp', quality: 80 });
    const path = await this.artwork.saveOriginal(item.id, 'thumb', thumb.data, 'webp');
    const stored = await this.artwork.setArtwork({
      itemId: item.id,
      kind: 'thumb',
      source: 'generated',
      path,
      width: thumb.width,
      height: thumb.height,
    });
    if (item.parentId && item.type === 'image')
      await this.artwork.setArtwork({
        itemId: item.parentId,
        kind: 'thumb',
        source: 'generated',
        path,
        width: thumb.width,
        height: thumb.height,
      });
    return { width: thumb.width, height: thumb.height, stored };
  }
}
