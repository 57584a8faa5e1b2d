import { Module } from '@nestjs/common';
import { SettingsModule } from '@marquee/system/settings.module.js';
import { HeavyJobLimiter } from './ledger/heavy-job-limiter.js';
import { WorkerShutdown } from './lifecycle/worker-shutdown.js';
import { LibraryMaintenanceProcessor } from './processors/library-maintenance.processor.js';
import { QueuesModule } from './queues.module.js';
import { MaintenanceSchedule } from './scheduling/maintenance-schedule.js';
import { MaintenanceTasks } from './scheduling/maintenance-tasks.js';
import { QueueConcurrency } from './scheduling/queue-concurrency.js';

/** The worker side of jobs: the processors, the heavy-job cap, the maintenance schedule and the orderly shutdown. */
@Module({
  imports: [QueuesModule, SettingsModule],
  providers: [HeavyJobLimiter, LibraryMaintenanceProcessor, MaintenanceSchedule, MaintenanceTasks, QueueConcurrency, WorkerShutdown],
  exports: [HeavyJobLimiter, MaintenanceTasks, WorkerShutdown],
})
export class JobsWorkerModule {}
