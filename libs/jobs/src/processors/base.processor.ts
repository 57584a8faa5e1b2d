import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';

/**
 * Every processor extends this: a worker emits 'error' while its backend is unreachable, and an
 * unheard 'error' would end the process. It keeps polling and resumes when the backend returns.
 */
export abstract class BaseProcessor extends WorkerHost {
  protected readonly logger = new Logger(this.constructor.name);
  private lastErrorLog = 0;

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    if (Date.now() - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = Date.now();
    this.logger.warn(`queue backend unreachable: ${error.message}`);
  }
}
