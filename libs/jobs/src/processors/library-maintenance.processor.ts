import { Processor } from '@nestjs/bullmq';
import type { PingJobPayload, PingJobResult, QueueName } from '@marquee/contracts';
import { AppConfig, PROCESS_IDENTITY, resolveBinary } from '@marquee/core';
import { runFfmpeg } from '@marquee/media';
import { InjectDataSource } from '@nestjs/typeorm';
import { UnrecoverableError, type Job } from 'bullmq';
import { DataSource } from 'typeorm';
import type { JobContext } from '../ledger/job-context.js';
import { LedgerProcessor } from '../ledger/ledger-processor.js';
import { QUEUE_POLICIES, WORKER_OPTIONS } from '../queue-policies.js';
import { MaintenanceTasks } from '../scheduling/maintenance-tasks.js';

export interface DiagnosticWaitPayload {
  /** How long the job works, reporting progress as it goes. */
  ms: number;
  /** Fail this many first attempts (to see retries). */
  failAttempts?: number;
}

export interface DiagnosticFfmpegPayload {
  /** Seconds of a generated tone that ffmpeg encodes in real time. */
  seconds: number;
}

/** One handler for the `library-maintenance` queue, dispatching on the job name. */
@Processor('library-maintenance', { ...WORKER_OPTIONS, concurrency: QUEUE_POLICIES['library-maintenance'].concurrency })
export class LibraryMaintenanceProcessor extends LedgerProcessor {
  protected readonly queueName: QueueName = 'library-maintenance';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly tasks: MaintenanceTasks,
  ) {
    super();
  }

  protected async handle(job: Job, ctx: JobContext): Promise<Record<string, unknown> | void> {
    switch (job.name) {
      case 'ping':
        return this.ping(job as Job<PingJobPayload>) as unknown as Record<string, unknown>;
      case 'diagnostic-wait':
        return this.wait(job as Job<DiagnosticWaitPayload>, ctx);
      case 'diagnostic-ffmpeg':
        return this.ffmpeg(job as Job<DiagnosticFfmpegPayload>, ctx);
      case 'clean-ledger':
        return this.cleanLedger();
      case 'reconcile-ledger':
        return { requeued: await this.ledger.reconcile() };
      default: {
        const task = this.tasks.get(job.name);
        if (!task) throw new UnrecoverableError(`library-maintenance has no handler for job "${job.name}"`);
        return task(job, ctx);
      }
    }
  }

  private ping(job: Job<PingJobPayload>): PingJobResult {
    if (typeof job.data?.nonce !== 'string') throw new UnrecoverableError('ping job payload needs a string "nonce"');
    return { nonce: job.data.nonce, workerId: PROCESS_IDENTITY.id, receivedAt: new Date().toISOString() };
  }

  /** A job that takes a while: for checking progress, cancellation, retries and crash recovery. */
  private async wait(job: Job<DiagnosticWaitPayload>, ctx: JobContext): Promise<Record<string, unknown>> {
    const { ms, failAttempts = 0 } = job.data ?? ({} as DiagnosticWaitPayload);
    if (!Number.isInteger(ms) || ms < 0 || ms > 3_600_000)
      throw new UnrecoverableError('diagnostic-wait needs "ms", an integer from 0 to 3600000');
    const steps = 20;
    for (let step = 1; step <= steps; step++) {
      await new Promise((resolve) => setTimeout(resolve, ms / steps));
      ctx.throwIfCancelled();
      await ctx.progress((step / steps) * 100, `step ${step} of ${steps}`);
    }
    await ctx.log(`waited ${ms} ms on ${PROCESS_IDENTITY.id}`);
    if (job.attemptsStarted <= failAttempts) throw new Error(`failing attempt ${job.attemptsStarted} on purpose`);
    return { waitedMs: ms, workerId: PROCESS_IDENTITY.id, attempt: job.attemptsStarted };
  }

  /** Runs ffmpeg for a while (real time): checks that ffmpeg works and that cancelling kills it. */
  private async ffmpeg(job: Job<DiagnosticFfmpegPayload>, ctx: JobContext): Promise<Record<string, unknown>> {
    const { seconds } = job.data ?? ({} as DiagnosticFfmpegPayload);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600)
      throw new UnrecoverableError('diagnostic-ffmpeg needs "seconds", an integer from 1 to 600');
    const ffmpeg = resolveBinary('ffmpeg', this.config.ffmpegPath).path;
    const args = [
      '-hide_banner',
      '-re',
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=440:duration=${seconds}`,
      '-metadata',
      `comment=marquee-job-${job.id}`,
      '-f',
      'null',
      '-',
    ];
    await runFfmpeg(ffmpeg, args, {
      signal: ctx.signal,
      timeoutMs: (seconds + 30) * 1000,
      onStderrLine: (line) => {
        const time = /time=(\d+):(\d+):(\d+\.\d+)/.exec(line);
        if (time) void ctx.progress(((Number(time[1]) * 3600 + Number(time[2]) * 60 + Number(time[3])) / seconds) * 100, 'encoding');
      },
    });
    return { seconds, ffmpeg };
  }

  /** Finished jobs older than the retention, and dashboard events older than an hour, go. */
  private async cleanLedger(): Promise<Record<string, unknown>> {
    const [, jobs] = await this.dataSource.query(
      `DELETE FROM job_runs WHERE state IN ('completed', 'failed', 'cancelled') AND "finishedAt" < now() - make_interval(days => $1)`,
      [this.config.jobRetentionDays],
    );
    const [, events] = await this.dataSource.query(`DELETE FROM job_events WHERE at < now() - interval '1 hour'`);
    return { jobsRemoved: jobs, eventsRemoved: events };
  }
}
