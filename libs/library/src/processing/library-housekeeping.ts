import { Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MaintenanceTasks, QueueService } from '@marquee/jobs';
import { DataSource } from 'typeorm';
import { ArtworkCacheEviction } from '../artwork/artwork-cache-eviction.js';
import { Library } from '../entities/library.entity.js';
import { LibrarySchedule } from '../libraries/library-schedule.js';

/** Items missing for longer than this are deleted by the clean-up job (with their users' data). */
export const MISSING_ITEM_RETENTION_DAYS = 30;
/** The resized-artwork cache is kept under this size, and copies unused this long go. */
export const ARTWORK_CACHE_MAX_BYTES = 2 * 1024 ** 3;
export const ARTWORK_CACHE_MAX_AGE_DAYS = 60;

/**
 * The library's scheduled work, once across all workers: each library's periodic scan, the
 * clean-up of long-missing items and the eviction of the resized-artwork cache.
 */
@Injectable()
export class LibraryHousekeeping implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tasks: MaintenanceTasks,
    private readonly queues: QueueService,
    private readonly schedule: LibrarySchedule,
    private readonly eviction: ArtworkCacheEviction,
  ) {}

  onModuleInit(): void {
    this.tasks.register('clean-missing-items', () => this.cleanMissingItems());
    this.tasks.register('evict-artwork-cache', async () => ({
      ...(await this.eviction.evict({ maxBytes: ARTWORK_CACHE_MAX_BYTES, maxAgeDays: ARTWORK_CACHE_MAX_AGE_DAYS })),
    }));
  }

  async onApplicationBootstrap(): Promise<void> {
    const queue = this.queues.queue('library-maintenance');
    await queue.upsertJobScheduler('clean-missing-items', { every: 24 * 60 * 60_000 }, { name: 'clean-missing-items', data: {} });
    await queue.upsertJobScheduler('evict-artwork-cache', { every: 60 * 60_000 }, { name: 'evict-artwork-cache', data: {} });
    for (const library of await this.dataSource.getRepository(Library).find()) await this.schedule.sync(library);
  }

  async cleanMissingItems(retentionDays = MISSING_ITEM_RETENTION_DAYS): Promise<{ filesRemoved: number; itemsRemoved: number }> {
    return this.dataSource.transaction(async (manager) => {
      const [, files] = await manager.query(`DELETE FROM media_files WHERE "missingSince" < now() - make_interval(days => $1)`, [
        retentionDays,
      ]);
      // Leaves whose files are all gone, then containers left without children (twice: season → series).
      const [, leaves] = await manager.query(
        `DELETE FROM media_items i WHERE "missingSince" < now() - make_interval(days => $1)
           AND NOT EXISTS (SELECT 1 FROM media_files f WHERE f."itemId" = i.id)
           AND NOT EXISTS (SELECT 1 FROM media_items c WHERE c."parentId" = i.id)`,
        [retentionDays],
      );
      let containers = 0;
      for (let round = 0; round < 2; round++) {
        const [, removed] = await manager.query(
          `DELETE FROM media_items i WHERE "missingSince" < now() - make_interval(days => $1)
             AND NOT EXISTS (SELECT 1 FROM media_files f WHERE f."itemId" = i.id)
             AND NOT EXISTS (SELECT 1 FROM media_items c WHERE c."parentId" = i.id)`,
          [retentionDays],
        );
        containers += Number(removed ?? 0);
      }
      return { filesRemoved: Number(files ?? 0), itemsRemoved: Number(leaves ?? 0) + containers };
    });
  }
}
