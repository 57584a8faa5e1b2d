import { Inject } from '@nestjs/common';
import type { QueueName } from '@marquee/contracts';
import { PROCESS_IDENTITY } from '@marquee/core';
import { type Job, UnrecoverableError, WaitingError } from 'bullmq';
import { WorkerShutdown, WorkerShutdownError } from '../lifecycle/worker-shutdown.js';
import { BaseProcessor } from '../processors/base.processor.js';
import { JOB_PRIORITY, QUEUE_POLICIES } from '../queue-policies.js';
import { HeavyJobLimiter } from './heavy-job-limiter.js';
import { JobContext } from './job-context.js';
import { JobLedger } from './job-ledger.service.js';

const CANCEL_POLL_MS = 1000;

export class JobCancelledError extends Error {
  constructor(reason = 'Cancelled by an administrator') {
    super(reason);
    this.name = 'JobCancelledError';
  }
}

/**
 * The one processor wrapper: every queue's processor extends it and implements `handle()`. It moves
 * the ledger row through active → completed | failed | cancelled (queued again between retries),
 * records attempts, duration, the error and stack, and makes cancellation reach a running handler
 * (on whichever worker runs it) through the abort signal. Failures stay real BullMQ failures; a job
 * interrupted by its worker's shutdown goes back to waiting (see WorkerShutdown).
 */
export abstract class LedgerProcessor extends BaseProcessor {
  @Inject(JobLedger) protected readonly ledger!: JobLedger;
  @Inject(HeavyJobLimiter) private readonly heavyLimiter!: HeavyJobLimiter;
  @Inject(WorkerShutdown) private readonly shutdown!: WorkerShutdown;

  protected abstract readonly queueName: QueueName;

  protected abstract handle(job: Job, ctx: JobContext): Promise<Record<string, unknown> | void>;

  override async process(job: Job, token?: string, signal?: AbortSignal): Promise<Record<string, unknown> | null> {
    const abort = new AbortController();
    const onAbort = () => abort.abort(signal?.reason ?? new JobCancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const onShutdown = () => abort.abort(this.shutdown.signal.reason);
    this.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    const watcher = setInterval(() => {
      void this.ledger.cancelRequested(job.id!).then(
        (requested) => requested && abort.abort(new JobCancelledError()),
        () => undefined,
      );
    }, CANCEL_POLL_MS);
    watcher.unref();

    const started = Date.now();
    const ctx = new JobContext(job, abort.signal, this.ledger);
    try {
      const { cancelRequested } = await this.ledger.markActive(job, PROCESS_IDENTITY.id);
      if (cancelRequested) {
        // Cancelled before it started: recorded as cancelled, not as a failure to retry.
        abort.abort(new JobCancelledError());
        throw abort.signal.reason;
      }
      const run = () => this.handle(job, ctx);
      const interactive = job.opts.priority === JOB_PRIORITY.interactive;
      const result =
        (QUEUE_POLICIES[this.queueName].heavy ? await this.heavyLimiter.run(run, abort.signal, { interactive }) : await run()) ?? null;
      await ctx.flush();
      await this.ledger.markCompleted(job.id!, result, Date.now() - started);
      return result;
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      if (abort.signal.reason instanceof WorkerShutdownError && token) {
        // Not a failure: the job goes back to waiting, with its attempts as they were. The ledger first,
        // so that another worker taking the job at once is not overwritten by this row's update.
        await this.ledger.markInterrupted(job.id!, abort.signal.reason.message);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (abort.signal.aborted) {
        await this.ledger.markCancelled(job.id!, err.message, Date.now() - started);
        throw new UnrecoverableError(`Cancelled: ${err.message}`);
      }
      const attempts = job.opts.attempts ?? 1;
      const willRetry = !(err instanceof UnrecoverableError) && job.attemptsMade + 1 < attempts;
      await this.ledger.markFailed(job.id!, err, Date.now() - started, willRetry);
      throw err;
    } finally {
      clearInterval(watcher);
      signal?.removeEventListener('abort', onAbort);
      this.shutdown.signal.removeEventListener('abort', onShutdown);
    }
  }
}
