import { WorkerHost } from '@nestjs/bullmq';
import { DiscoveryService, type ModulesContainer } from '@nestjs/core';
import { isQueueName, type QueueName } from '@marquee/contracts';
import type { Worker } from 'bullmq';

/**
 * This process's BullMQ workers of contract queues, by queue name. Every processor is a `WorkerHost`,
 * found through Nest's discovery, so new queues need nothing here.
 */
export function processWorkers(modules: ModulesContainer): Map<QueueName, Worker> {
  const found = new Map<QueueName, Worker>();
  for (const wrapper of new DiscoveryService(modules).getProviders()) {
    const instance: unknown = wrapper.instance;
    if (!(instance instanceof WorkerHost)) continue;
    let worker: Worker | undefined;
    try {
      worker = instance.worker;
    } catch {
      continue; // not started (yet)
    }
    if (worker && isQueueName(worker.name)) found.set(worker.name, worker);
  }
  return found;
}
