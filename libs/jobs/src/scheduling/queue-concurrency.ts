import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { QueueName } from '@marquee/contracts';
import { SettingsService } from '@marquee/system/settings.service.js';
import { processWorkers } from '../lifecycle/process-workers.js';
import { QUEUE_POLICIES } from '../queue-policies.js';

export const MIN_QUEUE_CONCURRENCY = 1;
export const MAX_QUEUE_CONCURRENCY = 64;
const POLL_MS = 5000;

/** The settings key holding an admin's concurrency for a queue (a number; absent: the policy default). */
export const queueConcurrencySetting = (queue: QueueName) => `queue.${queue}.concurrency`;

/** The stored value when it is a usable concurrency, otherwise the queue's policy default. */
export function effectiveConcurrency(queue: QueueName, stored: unknown): number {
  return typeof stored === 'number' && Number.isInteger(stored) && stored >= MIN_QUEUE_CONCURRENCY && stored <= MAX_QUEUE_CONCURRENCY
    ? stored
    : QUEUE_POLICIES[queue].concurrency;
}

/**
 * Applies the concurrency admins set per queue (`PATCH queues/:name`) to this worker process's BullMQ
 * workers: at start, then every five seconds.
 */
@Injectable()
export class QueueConcurrency implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QueueConcurrency.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastErrorLog = 0;

  constructor(
    private readonly modules: ModulesContainer,
    private readonly settings: SettingsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.apply();
    this.timer = setInterval(() => {
      this.running ??= this.apply().finally(() => (this.running = undefined));
    }, POLL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async apply(): Promise<void> {
    try {
      for (const [queue, worker] of processWorkers(this.modules)) {
        const desired = effectiveConcurrency(queue, await this.settings.get<unknown>(queueConcurrencySetting(queue), null));
        if (worker.concurrency === desired) continue;
        this.logger.log(`${queue}: concurrency ${worker.concurrency} → ${desired}`);
        worker.concurrency = desired;
      }
    } catch (error) {
      if (Date.now() - this.lastErrorLog < 60_000) return;
      this.lastErrorLog = Date.now();
      this.logger.warn(`could not apply queue concurrency settings: ${(error as Error).message}`);
    }
  }
}
