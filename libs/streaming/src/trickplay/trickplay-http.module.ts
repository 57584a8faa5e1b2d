import { Module } from '@nestjs/common';
import { QueuesModule } from '@marquee/jobs';
import { VideoSources } from '../subtitles/video-source.js';
import { TrickplayStore } from './trickplay-store.js';
import { TrickplayController } from './trickplay.controller.js';
import { TrickplayService } from './trickplay.service.js';

/** The api side of trickplay: `TrickplayService.info` for the playback decision, the thumbnails track and sprites. */
@Module({
  imports: [QueuesModule],
  controllers: [TrickplayController],
  providers: [VideoSources, TrickplayStore, TrickplayService],
  exports: [TrickplayService],
})
export class TrickplayHttpModule {}
