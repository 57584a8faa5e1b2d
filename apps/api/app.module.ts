import { type DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule, DatabaseModule, LoggingModule, QueueBackendModule } from '@marquee/core';
import { AuthHttpModule } from '@marquee/auth';
import { EventsModule, JobsHttpModule, QueuesModule } from '@marquee/jobs';
import { LibraryHttpModule } from '@marquee/library';
import { DirectStreamModule, PlaybackModule } from '@marquee/streaming';
import { SubtitlesHttpModule, TrickplayHttpModule } from '@marquee/streaming';
import { HlsHttpModule } from '@marquee/streaming';
import { SystemHttpModule } from '@marquee/system';
import { UsersDataHttpModule } from '@marquee/users-data';
import { PluginsHttpModule } from '@marquee/plugins';
import { ScrapersHttpModule } from '@marquee/scrapers';

/** The HTTP side of every feature module. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule,
        QueueBackendModule,
        QueuesModule,
        EventsModule,
        JobsHttpModule,
        AuthHttpModule,
        LibraryHttpModule,
        SystemHttpModule,
        UsersDataHttpModule,
        DirectStreamModule,
        PlaybackModule,
        SubtitlesHttpModule,
        TrickplayHttpModule,
        HlsHttpModule,
        PluginsHttpModule,
        ScrapersHttpModule,
      ],
    };
  }
}
