import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module.js';
import { EventsController } from './events.controller.js';

/**
 * `GET /api/v1/events` (SSE) for the api. The JobEventBus comes from QueuesModule — one instance per
 * process, shared with JobEventsService (which publishes) and the worker — and is re-exported here.
 */
@Module({
  imports: [QueuesModule],
  controllers: [EventsController],
  exports: [QueuesModule],
})
export class EventsModule {}
