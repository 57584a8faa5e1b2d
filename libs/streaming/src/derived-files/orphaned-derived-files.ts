import { readdir, rm } from 'node:fs/promises';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MaintenanceTasks, QueueService } from '@marquee/jobs';
import { DataSource } from 'typeorm';
import { SubtitleStore } from '../subtitles/subtitle-store.js';
import { TrickplayStore } from '../trickplay/trickplay-store.js';

export const CLEAN_DERIVED_FILES_TASK = 'clean-derived-files';
const EVERY_MS = 24 * 60 * 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Item ids asked about in one query. */
const BATCH = 1000;

export interface DerivedFilesCleanup {
  subtitleFolders: number;
  trickplayFolders: number;
}

/**
 * Subtitles and trickplay sprites are kept per item (`<dataDir>/subtitles/<item>/`,
 * `<dataDir>/trickplay/<item>/`); once the clean-up of missing items has deleted an item, its folders
 * are of no use. A daily `library-maintenance` task removes the folders of items that no longer exist.
 */
@Injectable()
export class OrphanedDerivedFiles implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(OrphanedDerivedFiles.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subtitles: SubtitleStore,
    private readonly trickplay: TrickplayStore,
    private readonly tasks: MaintenanceTasks,
    private readonly queues: QueueService,
  ) {}

  onModuleInit(): void {
    this.tasks.register(CLEAN_DERIVED_FILES_TASK, async () => ({ ...(await this.clean()) }));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queues
      .queue('library-maintenance')
      .upsertJobScheduler(CLEAN_DERIVED_FILES_TASK, { every: EVERY_MS }, { name: CLEAN_DERIVED_FILES_TASK, data: {} });
  }

  async clean(): Promise<DerivedFilesCleanup> {
    const result = {
      subtitleFolders: await this.cleanRoot(this.subtitles.root, (id) => this.subtitles.itemDir(id)),
      trickplayFolders: await this.cleanRoot(this.trickplay.root, (id) => this.trickplay.itemDir(id)),
    };
    if (result.subtitleFolders || result.trickplayFolders)
      this.logger.log(`Removed the subtitles of ${result.subtitleFolders} and the trickplay of ${result.trickplayFolders} deleted items`);
    return result;
  }

  /** Removes the item folders under `root` whose item is gone; returns how many. Names that are not item ids are left alone. */
  private async cleanRoot(root: string, itemDir: (id: string) => string): Promise<number> {
    const names = await readdir(root).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const ids = names.filter((name) => UUID.test(name));
    let removed = 0;
    for (let at = 0; at < ids.length; at += BATCH) {
      const batch = ids.slice(at, at + BATCH);
      const rows = await this.dataSource.query<{ id: string }[]>(`SELECT id::text FROM media_items WHERE id = ANY($1::uuid[])`, [batch]);
      const existing = new Set(rows.map((row) => row.id));
      for (const id of batch.filter((candidate) => !existing.has(candidate))) {
        await rm(itemDir(id), { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }
}
