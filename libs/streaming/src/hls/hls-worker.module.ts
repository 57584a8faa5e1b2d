import { Module } from '@nestjs/common';
import { JobsWorkerModule, QueuesModule } from '@marquee/jobs';
import { TranscodeStore } from './sessions/transcode-store.js';
import { HlsSourceService } from './source/hls-source.service.js';
import { HlsStorage } from './storage/hls-storage.js';
import { HlsTranscodeProcessor } from './worker/hls-transcode.processor.js';
import { SegmentCacheEviction } from './worker/segment-cache-eviction.js';
import { TranscodeJanitor } from './worker/transcode-janitor.js';

/** The worker side of HLS: the `hls-transcode` processor, the sweep of dead transcodes and the cache eviction. */
@Module({
  imports: [QueuesModule, JobsWorkerModule],
  providers: [HlsSourceService, TranscodeStore, HlsStorage, HlsTranscodeProcessor, SegmentCacheEviction, TranscodeJanitor],
  exports: [TranscodeJanitor, SegmentCacheEviction],
})
export class HlsWorkerModule {}
