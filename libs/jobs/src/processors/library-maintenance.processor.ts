import { Processor } from '@nestjs/bullmq';
import type { PingJobPayload, PingJobResult } from '@marquee/contracts';
import { PROCESS_IDENTITY } from '@marquee/core';
import { UnrecoverableError, type Job } from 'bullmq';
import { BaseProcessor } from './base.processor.js';

/** One handler for the `library-maintenance` queue, dispatching on the job name. */
@Processor('library-maintenance', { concurrency: 2 })
export class LibraryMaintenanceProcessor extends BaseProcessor {
  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case 'ping':
        return this.ping(job as Job<PingJobPayload>);
      default:
        throw new UnrecoverableError(`library-maintenance has no handler for job "${job.name}"`);
    }
  }

  private ping(job: Job<PingJobPayload>): PingJobResult {
    if (typeof job.data?.nonce !== 'string') throw new UnrecoverableError('ping job payload needs a string "nonce"');
    return { nonce: job.data.nonce, workerId: PROCESS_IDENTITY.id, receivedAt: new Date().toISOString() };
  }
}
