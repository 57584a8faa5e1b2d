import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { createFailFastRedis } from './fail-fast-redis.js';
import { selectQueueBackend } from './queue-backend.js';

const PROBE_QUEUE = 'marquee-readiness-probe';

/** Probes the queue backend (and Redis itself when configured) without knowing more than it must. */
@Injectable()
export class QueueBackendHealth implements OnModuleDestroy {
  private queue?: Queue;
  private redis?: Redis;

  constructor(private readonly config: AppConfig) {}

  get kind() {
    return this.config.queueBackend;
  }

  /** A real round trip through BullMQ: counts of a probe queue. */
  async pingQueue(): Promise<void> {
    if (!this.queue) {
      const { connection, prefix } = selectQueueBackend(this.config);
      this.queue = new Queue(PROBE_QUEUE, { connection, prefix });
      // Outages surface through the probe's own result.
      this.queue.on('error', () => undefined);
    }
    await this.queue.getJobCounts('waiting');
  }

  /** PING on a connection that fails fast instead of queueing commands while Redis is away. */
  async pingRedis(): Promise<void> {
    if (!this.config.redisUrl) return;
    this.redis ??= createFailFastRedis(this.config.redisUrl, { lazyConnect: true });
    if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
    const reply = await this.redis.ping();
    if (reply !== 'PONG') throw new Error(`unexpected reply ${reply}`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue?.close().catch(() => undefined);
    this.redis?.disconnect();
  }
}
