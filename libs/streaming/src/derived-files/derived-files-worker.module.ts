import { Module } from '@nestjs/common';
import { JobsWorkerModule, QueuesModule } from '@marquee/jobs';
import { SubtitleStore } from '../subtitles/subtitle-store.js';
import { TrickplayStore } from '../trickplay/trickplay-store.js';
import { OrphanedDerivedFiles } from './orphaned-derived-files.js';

/** The worker side of the files derived from items (subtitles, trickplay): their clean-up once an item is deleted. */
@Module({
  imports: [QueuesModule, JobsWorkerModule],
  providers: [SubtitleStore, TrickplayStore, OrphanedDerivedFiles],
})
export class DerivedFilesWorkerModule {}
