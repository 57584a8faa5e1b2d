import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { REPROBE_LIBRARY_TASK, type ReprobeLibraryPayload } from '@marquee/contracts';
import { type JobContext, MaintenanceTasks } from '@marquee/jobs';
import { type Job, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { Library } from '../entities/library.entity.js';
import { MediaPipeline, type ScannedFile } from './media-pipeline.js';

/** Files read from the catalogue and queued per round. */
const PAGE = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `reprobe-library`: queues a streams-only probe of every present video and audio file of a
 * library, so that what a newer probe records (a video's rotation, pixel shape, interlacing)
 * reaches files that have not changed since they were first probed. Fingerprints, thumbnails
 * and the rest are not redone.
 */
@Injectable()
export class LibraryReprobe implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tasks: MaintenanceTasks,
    private readonly pipeline: MediaPipeline,
  ) {}

  onModuleInit(): void {
    this.tasks.register(REPROBE_LIBRARY_TASK, (job, ctx) => this.run(job as Job<ReprobeLibraryPayload>, ctx));
  }

  private async run(job: Job<ReprobeLibraryPayload>, ctx: JobContext): Promise<Record<string, unknown>> {
    const libraryId = job.data?.libraryId;
    if (typeof libraryId !== 'string' || !UUID.test(libraryId))
      throw new UnrecoverableError('reprobe-library needs "libraryId", a library id');
    const library = await this.dataSource.getRepository(Library).findOneBy({ id: libraryId });
    if (!library) throw new UnrecoverableError(`Library ${libraryId} no longer exists`);
    const present = `"libraryId" = $1 AND "missingSince" IS NULL AND "archiveEntry" = '' AND category IN ('video', 'audio')`;
    const [{ total }] = await this.dataSource.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM media_files WHERE ${present}`,
      [libraryId],
    );
    let queued = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      ctx.signal.throwIfAborted();
      const rows = await this.dataSource.query<{ id: string; itemId: string; category: 'video' | 'audio'; path: string }[]>(
        `SELECT id, "itemId", category, path FROM media_files WHERE ${present} AND id > $2 ORDER BY id LIMIT ${PAGE}`,
        [libraryId, after],
      );
      if (rows.length === 0) break;
      const files: ScannedFile[] = rows.map((row) => ({
        id: row.id,
        itemId: row.itemId,
        category: row.category,
        label: row.path.slice(row.path.lastIndexOf('/') + 1),
      }));
      await this.pipeline.reprobe(files);
      queued += files.length;
      after = rows[rows.length - 1].id;
      await ctx.progress(Math.min(99, (queued / Math.max(total, 1)) * 100), `${queued} of ${total} files queued`);
    }
    await ctx.log(`${library.name}: ${queued} files queued to be probed again`);
    return { library: library.name, queued };
  }
}
