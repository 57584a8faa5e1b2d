import { Module } from '@nestjs/common';
import { JobsWorkerModule, QueuesModule } from '@marquee/jobs';
import { SettingsModule } from '@marquee/system/settings.module.js';
import { ArtworkModule } from './artwork/artwork.module.js';
import { LibrarySchedule } from './libraries/library-schedule.js';
import { AudioTagsProcessor } from './processing/audio-tags.processor.js';
import { FingerprintProcessor } from './processing/fingerprint.processor.js';
import { LibraryHousekeeping } from './processing/library-housekeeping.js';
import { LibraryReprobe } from './processing/library-reprobe.js';
import { MediaFileLoader } from './processing/media-file-loader.js';
import { MediaPipeline } from './processing/media-pipeline.js';
import { MediaProbeProcessor } from './processing/media-probe.processor.js';
import { ThumbnailProcessor } from './processing/thumbnail.processor.js';
import { LibraryScanProcessor } from './scanning/library-scan.processor.js';
import { LibraryScanner } from './scanning/library-scanner.js';
import { SidecarMetadata } from './scanning/sidecar-metadata.js';
import { SidecarWork } from './scanning/sidecar-work.js';
import { LibraryWatcher } from './watching/library-watcher.service.js';

/** The worker side of the library: scans, per-file jobs and the library's scheduled work. */
@Module({
  imports: [QueuesModule, JobsWorkerModule, SettingsModule, ArtworkModule],
  providers: [
    LibraryScanner,
    SidecarMetadata,
    SidecarWork,
    MediaPipeline,
    MediaFileLoader,
    LibrarySchedule,
    LibraryHousekeeping,
    LibraryReprobe,
    LibraryScanProcessor,
    MediaProbeProcessor,
    FingerprintProcessor,
    ThumbnailProcessor,
    AudioTagsProcessor,
    LibraryWatcher,
  ],
  exports: [LibraryScanner],
})
export class LibraryWorkerModule {}
