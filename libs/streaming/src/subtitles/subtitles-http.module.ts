import { Module } from '@nestjs/common';
import { QueuesModule } from '@marquee/jobs';
import { SubtitleDeliveryService } from './subtitle-delivery.service.js';
import { SubtitleStore } from './subtitle-store.js';
import { SubtitleTracksService } from './subtitle-tracks.service.js';
import { SubtitlesController } from './subtitles.controller.js';
import { VideoSources } from './video-source.js';

/** The api side of subtitles: the track list (for the playback decision) and `GET items/:id/subtitles/:track.vtt`. */
@Module({
  imports: [QueuesModule],
  controllers: [SubtitlesController],
  providers: [VideoSources, SubtitleStore, SubtitleTracksService, SubtitleDeliveryService],
  exports: [SubtitleTracksService, VideoSources],
})
export class SubtitlesHttpModule {}
