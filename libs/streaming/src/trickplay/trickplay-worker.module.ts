import { Module } from '@nestjs/common';
import { JobsWorkerModule, QueuesModule } from '@marquee/jobs';
import { VideoSources } from '../subtitles/video-source.js';
import { TrickplayStore } from './trickplay-store.js';
import { TrickplayProcessor } from './trickplay.processor.js';

/** The worker side of trickplay: the `trickplay` processor. */
@Module({
  imports: [QueuesModule, JobsWorkerModule],
  providers: [VideoSources, TrickplayStore, TrickplayProcessor],
})
export class TrickplayWorkerModule {}
