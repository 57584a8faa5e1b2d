import { Module } from '@nestjs/common';
import { QueuesModule } from '@marquee/jobs';
import { HlsController } from './http/hls.controller.js';
import { HlsPlaylistsService } from './http/hls-playlists.service.js';
import { HlsSegmentsService } from './http/hls-segments.service.js';
import { TranscodeStore } from './sessions/transcode-store.js';
import { HlsSourceService } from './source/hls-source.service.js';
import { HlsStorage } from './storage/hls-storage.js';

/** The api side of HLS: playlists, segments (served from the cache or waited for) and the stop call. */
@Module({
  imports: [QueuesModule],
  controllers: [HlsController],
  providers: [HlsSourceService, TranscodeStore, HlsStorage, HlsPlaylistsService, HlsSegmentsService],
})
export class HlsHttpModule {}
