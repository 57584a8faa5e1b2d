import type { Job } from 'bullmq';
import type { JobLedger } from './job-ledger.service.js';

const PROGRESS_INTERVAL_MS = 1000;

/** What a handler gets besides the job: progress, log lines and the abort signal (cancel). */
export class JobContext {
  private lastProgressAt = 0;
  private pending?: { progress: number; message?: string };

  constructor(
    readonly job: Job,
    readonly signal: AbortSignal,
    private readonly ledger: JobLedger,
  ) {}

  /** 0–100 with an optional message; written at most once a second (the last value always lands). */
  async progress(progress: number, message?: string): Promise<void> {
    this.pending = { progress, message };
    if (Date.now() - this.lastProgressAt < PROGRESS_INTERVAL_MS && progress < 100) return;
    await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.pending) return;
    const { progress, message } = this.pending;
    this.pending = undefined;
    this.lastProgressAt = Date.now();
    await this.job.updateProgress({ progress, message });
    await this.ledger.markProgress(this.job.id!, progress, message);
  }

  log(message: string, level: 'info' | 'warn' | 'error' = 'info'): Promise<void> {
    return this.ledger.appendLog(this.job.id!, message, level);
  }

  /** Throws when the job was cancelled; long loops call it between steps. */
  throwIfCancelled(): void {
    this.signal.throwIfAborted();
  }
}
