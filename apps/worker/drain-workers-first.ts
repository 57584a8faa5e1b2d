import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { WorkerShutdown } from '@marquee/jobs';

/**
 * Nest closes the root module's providers first, so draining the BullMQ workers from here happens
 * before any feature module closes what running jobs use: queues, the event bus, the database.
 */
@Injectable()
export class DrainWorkersFirst implements OnModuleDestroy {
  constructor(private readonly shutdown: WorkerShutdown) {}

  onModuleDestroy(): Promise<void> {
    return this.shutdown.drain();
  }
}
