import { Module } from '@nestjs/common';
import { SettingsModule } from '@marquee/system/settings.module.js';
import { QueuesModule } from './queues.module.js';
import { JobsController } from './triage/jobs.controller.js';
import { JobsQueryService } from './triage/jobs-query.service.js';
import { QueueAdminService } from './triage/queue-admin.service.js';
import { QueuesController } from './triage/queues.controller.js';

/** The api side of jobs: the triage API over the ledger and the queues (admins only). */
@Module({
  imports: [QueuesModule, SettingsModule],
  controllers: [JobsController, QueuesController],
  providers: [JobsQueryService, QueueAdminService],
})
export class JobsHttpModule {}
