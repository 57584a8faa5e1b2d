import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { QueueService } from '../queue.service.js';

/**
 * Repeatable maintenance jobs. BullMQ job schedulers are keyed by id, so every worker can upsert
 * them at start and each run still happens once across all workers.
 */
@Injectable()
export class MaintenanceSchedule implements OnApplicationBootstrap {
  constructor(private readonly queues: QueueService) {}

  async onApplicationBootstrap(): Promise<void> {
    const queue = this.queues.queue('library-maintenance');
    await queue.upsertJobScheduler('clean-ledger', { every: 60 * 60_000 }, { name: 'clean-ledger', data: {} });
    await queue.upsertJobScheduler('reconcile-ledger', { every: 5 * 60_000 }, { name: 'reconcile-ledger', data: {} });
  }
}
