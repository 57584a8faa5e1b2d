import { Processor } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MediaFileJobPayload, QueueName } from '@marquee/contracts';
import { type JobContext, LedgerProcessor, QUEUE_POLICIES, WORKER_OPTIONS } from '@marquee/jobs';
import { readAudioTags, readEmbeddedPicture, resizeImage } from '@marquee/media';
import { type Job, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { ArtworkService } from '../artwork/artwork.service.js';
import { MediaItem } from '../entities/media-item.entity.js';
import { MediaFileLoader } from './media-file-loader.js';

/**
 * `audio-tags`: the details a scan does not need for grouping — the embedded cover becomes the
 * album's (unless folder art or an upload is there), and the track's duration and genres are
 * brought up to date from the tags.
 */
@Processor('audio-tags', { ...WORKER_OPTIONS, concurrency: QUEUE_POLICIES['audio-tags'].concurrency })
export class AudioTagsProcessor extends LedgerProcessor {
  protected readonly queueName: QueueName = 'audio-tags';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly files: MediaFileLoader,
    private readonly artwork: ArtworkService,
  ) {
    super();
  }

  protected async handle(job: Job<MediaFileJobPayload>, ctx: JobContext): Promise<Record<string, unknown>> {
    const { file, item } = await this.files.load(job.data);
    let tags;
    try {
      tags = await readAudioTags(file.path, { timeoutMs: 30_000 });
    } catch (error) {
      throw new UnrecoverableError(`Could not read the tags of ${file.path}: ${(error as Error).message}`);
    }
    const update: Partial<MediaItem> = {};
    if (tags.durationMs && !item.durationMs) update.durationMs = Math.round(tags.durationMs);
    if (tags.genres.length && !item.lockedFields.includes('genres') && !item.lockedFields.includes('*')) update.genres = tags.genres;
    if (Object.keys(update).length) await this.dataSource.getRepository(MediaItem).update({ id: item.id }, update);
    ctx.throwIfCancelled();
    let cover = false;
    const [existing] = item.parentId
      ? await this.dataSource.query<{ id: string }[]>(`SELECT id FROM item_artwork WHERE "itemId" = $1 AND kind = 'cover'`, [item.parentId])
      : [];
    if (tags.hasEmbeddedPicture && item.parentId && !existing) {
      await ctx.progress(50, 'embedded cover');
      const picture = await readEmbeddedPicture(file.path);
      if (picture) {
        const image = await resizeImage(picture.data, { width: 1200, format: 'jpeg', quality: 90 });
        const path = await this.artwork.saveOriginal(item.parentId, 'cover', image.data, 'jpg');
        cover = await this.artwork.setArtwork({
          itemId: item.parentId,
          kind: 'cover',
          source: 'embedded',
          path,
          width: image.width,
          height: image.height,
        });
      }
    }
    return {
      durationMs: tags.durationMs,
      genres: tags.genres,
      bitDepth: tags.bitDepth,
      sampleRate: tags.sampleRate,
      codec: tags.codec,
      lossless: tags.lossless,
      cover,
    };
  }
}
