import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { QueueBackendHealth } from './queue-backend.health.js';
import { selectQueueBackend } from './queue-backend.js';

/** Default retry policy; queues may override attempts. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/**
 * BullMQ's root configuration for @nestjs/bullmq. The factory runs before any queue provider is
 * built, so the backend chosen here is the one every queue uses.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const { connection, prefix } = selectQueueBackend(config);
        return { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS };
      },
    }),
  ],
  providers: [QueueBackendHealth],
  exports: [BullModule, QueueBackendHealth],
})
export class QueueBackendModule {}
