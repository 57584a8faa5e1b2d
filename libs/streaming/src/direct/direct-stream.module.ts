import { Module, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AuthHttpModule } from '@marquee/auth/auth-http.module.js';
import { AppConfig, type ExpressLike, installRequestLane, PinoLoggerService } from '@marquee/core';
import { DirectStreamLane } from './direct-stream-lane.js';
import { DirectStreamController } from './direct-stream.controller.js';
import { DirectStreamService } from './direct-stream.service.js';
import { PlayableFiles } from './playable-files.js';

/** Direct play over HTTP ranges; exports the lookup of an item's playable file for the playback decision. */
@Module({
  controllers: [DirectStreamController],
  // The stream-token check comes from auth: one per process, so that its memory of accounts is told of their changes.
  imports: [AuthHttpModule],
  providers: [PlayableFiles, DirectStreamService, DirectStreamLane],
  exports: [PlayableFiles],
})
export class DirectStreamModule implements OnApplicationBootstrap {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly lane: DirectStreamLane,
    private readonly config: AppConfig,
    private readonly logger: PinoLoggerService,
  ) {}

  /** Signed direct-play URLs are answered ahead of Express (see DirectStreamLane). */
  onApplicationBootstrap(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    installRequestLane(adapter.getHttpServer(), adapter.getInstance<ExpressLike>(), this.config, this.logger.accessLog, this.lane);
  }
}
