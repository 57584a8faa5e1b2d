import { Module } from '@nestjs/common';
import { JobsWorkerModule, QueuesModule } from '@marquee/jobs';
import { ExtractSubtitlesProcessor } from './extract-subtitles.processor.js';
import { SubtitleStore } from './subtitle-store.js';
import { VideoSources } from './video-source.js';

/** The worker side of subtitles: the `extract-subtitles` processor. */
@Module({
  imports: [QueuesModule, JobsWorkerModule],
  providers: [VideoSources, SubtitleStore, ExtractSubtitlesProcessor],
  exports: [VideoSources],
})
export class SubtitlesWorkerModule {}
