import { setMaxListeners } from 'node:events';
import { Injectable, Logger } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { AppConfig } from '@marquee/core';
import { processWorkers } from './process-workers.js';

/** How long an interrupted job has to stop before the shutdown goes on with the rest of the process. */
const INTERRUPTED_JOB_STOP_MS = 10_000;

/** The reason a running job is interrupted with when the shutdown grace has run out. */
export class WorkerShutdownError extends Error {
  constructor() {
    super('The worker shut down before the job finished; it is back in its queue');
    this.name = 'WorkerShutdownError';
  }
}

/**
 * Stops this process's BullMQ workers before anything their jobs use goes away. Each worker stops
 * taking jobs and its running jobs may finish within the shutdown grace (MARQUEE_SHUTDOWN_GRACE_SECONDS);
 * after it, `signal` aborts them and LedgerProcessor hands each back to its queue, to run again on
 * this worker's next start or on another worker.
 *
 * Nest would otherwise close the queues first (@nestjs/bullmq closes them in the same hook as the
 * workers), and a running job that then adds a job waits for ever — BullMQ's PostgreSQL backend
 * never settles a call on a closing queue — holding up the worker's close with it.
 */
@Injectable()
export class WorkerShutdown {
  private readonly logger = new Logger(WorkerShutdown.name);
  private readonly interrupt = new AbortController();
  private draining?: Promise<void>;

  constructor(
    private readonly modules: ModulesContainer,
    private readonly config: AppConfig,
  ) {
    // Every running job of every queue listens (and stops listening when it ends): more than Node's
    // default of 10 at once is normal, not a leak.
    setMaxListeners(0, this.interrupt.signal);
  }

  /** Aborted when the grace has run out: every job still running stops and goes back to its queue. */
  get signal(): AbortSignal {
    return this.interrupt.signal;
  }

  /** Closes every worker of this process: their running jobs finish, or are handed back after the grace. */
  drain(): Promise<void> {
    this.draining ??= this.closeWorkers();
    return this.draining;
  }

  private async closeWorkers(): Promise<void> {
    const closed = Promise.allSettled([...processWorkers(this.modules).values()].map((worker) => worker.close()));
    if (await settlesWithin(closed, this.config.shutdownGraceSeconds * 1000)) return;
    this.logger.warn(`jobs still running after the ${this.config.shutdownGraceSeconds} s shutdown grace go back to their queues`);
    this.interrupt.abort(new WorkerShutdownError());
    if (await settlesWithin(closed, INTERRUPTED_JOB_STOP_MS)) return;
    // BullMQ's close still waits for that job; the worker process's watchdog (main.ts) has the last word.
    this.logger.error(`a job has ignored the interruption for ${INTERRUPTED_JOB_STOP_MS / 1000} s; the worker stops when it ends`);
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
