import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUE_NAMES } from '@marquee/contracts';
import { QueueService } from './queue.service.js';

/** Registers every queue of the contract; both the api (producer) and the worker (consumer) import it. */
@Module({
  imports: [BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name })))],
  providers: [QueueService],
  exports: [BullModule, QueueService],
})
export class QueuesModule {}
