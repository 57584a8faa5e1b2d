import { basename } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig } from '@marquee/core';
import { DataSource } from 'typeorm';
import { Library } from '../entities/library.entity.js';
import { validateLibraryFolder } from './folder-policy.js';
import { LibraryService } from './library.service.js';

/** Any number: the key of the advisory lock that lets one api replica do the first-start work. */
const BOOTSTRAP_LOCK = 7_301_001;

/**
 * First start: when no library exists yet, each folder of MARQUEE_MEDIA_DIRS becomes a `mixed`
 * library named after the folder, and its first scan is queued. Later starts change nothing, so
 * libraries an admin edited or removed stay that way.
 */
@Injectable()
export class MediaDirsBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(MediaDirsBootstrap.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly libraries: LibraryService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.mediaDirs.length === 0) return;
    const created = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock($1)`, [BOOTSTRAP_LOCK]);
      if ((await manager.count(Library)) > 0) return [];
      const names = new Set<string>();
      const libraries: Library[] = [];
      for (const folder of this.config.mediaDirs) {
        let name = basename(folder) || folder;
        for (let n = 2; names.has(name); n++) name = `${basename(folder)} (${n})`;
        names.add(name);
        let real: string;
        try {
          real = await validateLibraryFolder(folder, this.config.dataDir, this.config.libraryRoots);
        } catch (error) {
          this.logger.warn(`MARQUEE_MEDIA_DIRS: ${(error as Error).message}; no library made for it`);
          continue;
        }
        libraries.push(await manager.save(manager.create(Library, { name, kind: 'mixed', folders: [real] })));
      }
      return libraries;
    });
    for (const library of created) {
      this.logger.log(`created library "${library.name}" from MARQUEE_MEDIA_DIRS (${library.folders[0]})`);
      await this.libraries.requestScan(library.id);
    }
  }
}
