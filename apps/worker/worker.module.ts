import { type DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule, DatabaseModule, LoggingModule, QueueBackendModule } from '@marquee/core';
import { JobsWorkerModule } from '@marquee/jobs';
import { LibraryWorkerModule } from '@marquee/library';
import { DerivedFilesWorkerModule, SubtitlesWorkerModule, TrickplayWorkerModule } from '@marquee/streaming';
import { HlsWorkerModule } from '@marquee/streaming';
import { SystemWorkerModule } from '@marquee/system';
import { PluginsWorkerModule } from '@marquee/plugins';
import { ScrapersWorkerModule } from '@marquee/scrapers';
import { DrainWorkersFirst } from './drain-workers-first.js';

/** The processor side of every feature module. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule,
        QueueBackendModule,
        JobsWorkerModule,
        LibraryWorkerModule,
        SystemWorkerModule,
        SubtitlesWorkerModule,
        TrickplayWorkerModule,
        DerivedFilesWorkerModule,
        HlsWorkerModule,
        PluginsWorkerModule,
        ScrapersWorkerModule,
      ],
      providers: [DrainWorkersFirst],
    };
  }
}
