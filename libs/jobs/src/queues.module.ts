import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUE_NAMES } from '@marquee/contracts';
import { JobEventBus } from './events/event-bus.js';
import { JobEventsService } from './ledger/job-events.service.js';
import { JobLedger } from './ledger/job-ledger.service.js';
import { QueueService } from './queue.service.js';

/** Every queue of the contract and the ledger's enqueue(); both the api and the worker import it. */
@Module({
  imports: [BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name })))],
  providers: [QueueService, JobEventBus, JobEventsService, JobLedger],
  exports: [BullModule, QueueService, JobEventBus, JobEventsService, JobLedger],
})
export class QueuesModule {}
