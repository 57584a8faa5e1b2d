import { Module } from '@nestjs/common';
import { LibraryMaintenanceProcessor } from './processors/library-maintenance.processor.js';
import { QueuesModule } from './queues.module.js';

/** The worker side of jobs: the processors. */
@Module({ imports: [QueuesModule], providers: [LibraryMaintenanceProcessor] })
export class JobsWorkerModule {}
