import { getQueueToken } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { QueueName } from '@marquee/contracts';
import type { Job, JobsOptions, Queue } from 'bullmq';

/** Access to the contract's queues by name. The job ledger builds its enqueue() on top of this. */
@Injectable()
export class QueueService {
  constructor(private readonly moduleRef: ModuleRef) {}

  queue(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }

  add<T extends object>(queue: QueueName, jobName: string, payload: T, options?: JobsOptions): Promise<Job<T>> {
    return this.queue(queue).add(jobName, payload, options) as Promise<Job<T>>;
  }
}
