import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { QUEUE_NAMES, type QueueName } from '@marquee/contracts';
import type { Job, JobsOptions, Queue } from 'bullmq';

/** Access to the contract's queues by name. The job ledger builds its enqueue() on top of this. */
@Injectable()
export class QueueService implements OnModuleInit {
  private readonly logger = new Logger(QueueService.name);
  private lastErrorLog = 0;

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    // A queue emits 'error' while its backend is unreachable; unheard, EventEmitter would throw and
    // end the process. Readiness reports the outage; the log says it once every few seconds.
    for (const name of QUEUE_NAMES) {
      this.queue(name).on('error', (error: Error) => {
        if (Date.now() - this.lastErrorLog < 10_000) return;
        this.lastErrorLog = Date.now();
        this.logger.warn(`queue backend unreachable (${name}): ${error.message}`);
      });
    }
  }

  queue(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }

  add<T extends object>(queue: QueueName, jobName: string, payload: T, options?: JobsOptions): Promise<Job<T>> {
    return this.queue(queue).add(jobName, payload, options) as Promise<Job<T>>;
  }
}
