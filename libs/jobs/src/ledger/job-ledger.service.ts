import { randomUUID } from 'node:crypto';
import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JobState, QueueName } from '@marquee/contracts';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { JobRun } from '../entities/job-run.entity.js';
import { JOB_PRIORITY, type JobPriority, QUEUE_POLICIES, RETRY_BACKOFF } from '../queue-policies.js';
import { QueueService } from '../queue.service.js';
import { JobEventBus } from '../events/event-bus.js';
import type { JobTarget } from './job-target.js';

/** Log lines kept per job; later ones are counted but not stored. */
export const MAX_LOG_LINES_PER_JOB = 500;
const MAX_LOG_LINE_LENGTH = 2000;

export interface EnqueueOptions {
  /** Same key while one is queued or active ⇒ the existing job is returned instead of a new one. */
  dedupeKey?: string;
  priority?: JobPriority;
  delayMs?: number;
  attempts?: number;
}

export interface EnqueueResult {
  id: string;
  deduplicated: boolean;
}

/** The columns a job event carries (the dashboard's row), and the JSON built from them. */
const EVENT_COLUMNS = `id, queue, name, state, progress, "progressMessage", attempts, "targetType", "targetId", "targetLabel", error`;
const EVENT_DATA = `jsonb_build_object('id', id, 'queue', queue, 'name', name, 'state', state, 'progress', progress,
  'progressMessage', "progressMessage", 'attempts', attempts, 'targetType', "targetType", 'targetId', "targetId",
  'targetLabel', "targetLabel", 'error', error)`;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * The job ledger: every job has a `job_runs` row with the BullMQ job's id. The row is written first,
 * so a BullMQ job never exists without one; if adding to the queue then fails, the row says so
 * (failed, with the reason) instead of dangling, and `reconcile()` re-adds rows a crash left behind.
 */
@Injectable()
export class JobLedger {
  private readonly logger = new Logger(JobLedger.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queues: QueueService,
    private readonly bus: JobEventBus,
  ) {}

  private get runs() {
    return this.dataSource.getRepository(JobRun);
  }

  async enqueue<T extends object>(
    queue: QueueName,
    name: string,
    payload: T,
    target?: JobTarget,
    options: EnqueueOptions = {},
  ): Promise<EnqueueResult> {
    const id = randomUUID();
    const policy = QUEUE_POLICIES[queue];
    const attempts = options.attempts ?? policy.attempts;
    const priority = JOB_PRIORITY[options.priority ?? 'normal'];
    // The row and its "queued" event in one statement: announced before it reaches the queue, so
    // "queued" always precedes what a worker reports.
    const inserted = await this.dataSource.query<{ id: string; eventId: string }[]>(
      `WITH r AS (
         INSERT INTO job_runs (id, queue, name, state, "targetType", "targetId", "targetLabel", payload, "maxAttempts", priority, "dedupeKey")
         VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT ("dedupeKey") WHERE "state" IN ('queued', 'active') DO NOTHING
         RETURNING ${EVENT_COLUMNS}
       ), e AS (INSERT INTO job_events (type, data) SELECT 'job', ${EVENT_DATA} FROM r RETURNING id)
       SELECT r.id, e.id AS "eventId" FROM r, e`,
      [
        id,
        queue,
        name,
        target?.type ?? null,
        target?.id ?? null,
        target?.label ?? null,
        JSON.stringify(payload),
        attempts,
        priority,
        options.dedupeKey ?? null,
      ],
    );
    if (inserted.length === 0) {
      const existing = await this.dataSource.query<{ id: string }[]>(
        `SELECT id FROM job_runs WHERE "dedupeKey" = $1 AND state IN ('queued', 'active') LIMIT 1`,
        [options.dedupeKey],
      );
      // The open job may have finished in between: then enqueue afresh.
      if (existing[0]) return { id: existing[0].id, deduplicated: true };
      return this.enqueue(queue, name, payload, target, options);
    }
    await this.bus.notify(String(inserted[0].eventId));
    try {
      await this.queues.add(queue, name, payload, { jobId: id, attempts, priority, delay: options.delayMs, backoff: RETRY_BACKOFF });
    } catch (error) {
      const message = `Could not add the job to the queue: ${(error as Error).message}`;
      await this.finish(id, 'failed', { error: message }).catch(() => undefined);
      throw new ServiceUnavailableException(message);
    }
    return { id, deduplicated: false };
  }

  /**
   * Many jobs of one queue at once (a scan's per-file work): one INSERT for the ledger rows and one
   * bulk add to the queue. Jobs whose dedupe key is already queued or active are skipped. The
   * dashboard hears one `queue` event for the batch rather than one per job.
   */
  async enqueueBulk<T extends object>(
    queue: QueueName,
    name: string,
    jobs: { payload: T; target?: JobTarget; dedupeKey?: string }[],
    options: Pick<EnqueueOptions, 'priority' | 'attempts'> = {},
  ): Promise<{ ids: string[]; deduplicated: number }> {
    if (jobs.length === 0) return { ids: [], deduplicated: 0 };
    const policy = QUEUE_POLICIES[queue];
    const attempts = options.attempts ?? policy.attempts;
    const priority = JOB_PRIORITY[options.priority ?? 'normal'];
    const ids = jobs.map(() => randomUUID());
    const inserted = await this.dataSource.query<{ id: string }[]>(
      `INSERT INTO job_runs (id, queue, name, state, "targetType", "targetId", "targetLabel", payload, "maxAttempts", priority, "dedupeKey")
       SELECT id, $1, $2, 'queued', "targetType", "targetId", "targetLabel", payload, $3, $4, "dedupeKey"
       FROM unnest($5::uuid[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::text[])
         AS j(id, "targetType", "targetId", "targetLabel", payload, "dedupeKey")
       ON CONFLICT ("dedupeKey") WHERE "state" IN ('queued', 'active') DO NOTHING
       RETURNING id`,
      [
        queue,
        name,
        attempts,
        priority,
        ids,
        jobs.map((job) => job.target?.type ?? null),
        jobs.map((job) => job.target?.id ?? null),
        jobs.map((job) => job.target?.label ?? null),
        jobs.map((job) => JSON.stringify(job.payload)),
        jobs.map((job) => job.dedupeKey ?? null),
      ],
    );
    const accepted = new Set(inserted.map((row) => row.id));
    const batch = ids.flatMap((id, index) =>
      accepted.has(id) ? [{ name, data: jobs[index].payload, opts: { jobId: id, attempts, priority, backoff: RETRY_BACKOFF } }] : [],
    );
    try {
      await this.queues.queue(queue).addBulk(batch);
    } catch (error) {
      const message = `Could not add the jobs to the queue: ${(error as Error).message}`;
      await this.dataSource
        .query(`UPDATE job_runs SET state = 'failed', error = $2, "finishedAt" = now(), "updatedAt" = now() WHERE id = ANY($1)`, [
          [...accepted],
          message,
        ])
        .catch(() => undefined);
      throw new ServiceUnavailableException(message);
    }
    const [event] = await this.dataSource.query<{ id: string }[]>(
      `INSERT INTO job_events (type, data) VALUES ('queue', jsonb_build_object('name', $1::text, 'added', $2::int)) RETURNING id`,
      [queue, accepted.size],
    );
    await this.bus.notify(String(event.id));
    return { ids: [...accepted], deduplicated: jobs.length - accepted.size };
  }

  /**
   * The row goes active (created first when the job arrived without one: a scheduled job, or one
   * added outside enqueue()). Returns true when a cancel was requested before the job started.
   */
  async markActive(job: Job, workerId: string): Promise<{ cancelRequested: boolean }> {
    const rows = await this.dataSource.query<{ eventId: string; cancelRequested: boolean }[]>(
      `WITH r AS (
         INSERT INTO job_runs (id, queue, name, state, payload, "maxAttempts", priority, attempts, "startedAt", "workerId")
         VALUES ($1, $2, $3, 'active', $4, $5, $6, $7, now(), $8)
         ON CONFLICT (id) DO UPDATE SET state = 'active', attempts = EXCLUDED.attempts, "startedAt" = now(), "finishedAt" = NULL,
           "workerId" = EXCLUDED."workerId", progress = 0, "progressMessage" = NULL, "updatedAt" = now()
         RETURNING ${EVENT_COLUMNS}, "cancelRequestedAt"
       ), e AS (INSERT INTO job_events (type, data) SELECT 'job', ${EVENT_DATA} FROM r RETURNING id)
       SELECT e.id AS "eventId", r."cancelRequestedAt" IS NOT NULL AS "cancelRequested" FROM r, e`,
      [
        job.id,
        job.queueName,
        job.name,
        JSON.stringify(job.data ?? {}),
        job.opts.attempts ?? 1,
        job.opts.priority ?? 0,
        job.attemptsStarted,
        workerId,
      ],
    );
    await this.bus.notify(String(rows[0].eventId));
    return { cancelRequested: rows[0].cancelRequested };
  }

  async markProgress(jobId: string, progress: number, message?: string): Promise<void> {
    await this.transition(jobId, { progress: Math.max(0, Math.min(100, Math.round(progress))), progressMessage: message ?? null });
  }

  async appendLog(jobId: string, message: string, level: 'info' | 'warn' | 'error' = 'info'): Promise<void> {
    await this.dataSource.query(
      `WITH counted AS (UPDATE job_runs SET "logCount" = "logCount" + 1 WHERE id = $1 RETURNING "logCount")
       INSERT INTO job_logs ("jobId", level, message) SELECT $1, $2, $3 FROM counted WHERE "logCount" <= $4`,
      [jobId, level, clip(message, MAX_LOG_LINE_LENGTH), MAX_LOG_LINES_PER_JOB],
    );
  }

  async markCompleted(jobId: string, result: Record<string, unknown> | null, durationMs: number): Promise<void> {
    await this.finish(jobId, 'completed', { result, durationMs, progress: 100, error: null, stack: null });
  }

  /** A failed attempt: back to queued when BullMQ will retry, failed for good otherwise. */
  async markFailed(jobId: string, error: Error, durationMs: number, willRetry: boolean): Promise<void> {
    const fields = { error: clip(error.message || String(error), 4000), stack: error.stack ? clip(error.stack, 16_000) : null, durationMs };
    if (willRetry) {
      await this.transition(jobId, { ...fields, state: 'queued' });
    } else {
      await this.finish(jobId, 'failed', fields);
    }
  }

  /** A run its worker interrupted at shutdown: queued again, with no attempt spent on it in the ledger's eyes. */
  async markInterrupted(jobId: string, reason: string): Promise<void> {
    await this.transition(jobId, { state: 'queued', progress: 0, progressMessage: null, error: reason });
  }

  async markCancelled(jobId: string, reason: string, durationMs?: number): Promise<void> {
    await this.finish(jobId, 'cancelled', { error: reason, durationMs: durationMs ?? null });
  }

  private async finish(
    jobId: string,
    state: JobState,
    fields: {
      result?: Record<string, unknown> | null;
      durationMs?: number | null;
      progress?: number;
      error?: string | null;
      stack?: string | null;
    },
  ): Promise<void> {
    await this.transition(jobId, { ...fields, state, finishedAt: new Date() });
  }

  /** Updates the row and records its event in one statement, then wakes the listeners. */
  private async transition(jobId: string, changes: Record<string, unknown>): Promise<void> {
    const columns = Object.keys(changes);
    const values = columns.map((column) => {
      const value = changes[column];
      return value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value;
    });
    const assignments = columns.map((column, i) => `"${column}" = $${i + 2}`).join(', ');
    const rows = await this.dataSource.query<{ eventId: string }[]>(
      `WITH r AS (UPDATE job_runs SET ${assignments}, "updatedAt" = now() WHERE id = $1 RETURNING ${EVENT_COLUMNS}),
            e AS (INSERT INTO job_events (type, data) SELECT 'job', ${EVENT_DATA} FROM r RETURNING id)
       SELECT e.id AS "eventId" FROM e`,
      [jobId, ...values],
    );
    if (rows[0]) await this.bus.notify(String(rows[0].eventId));
  }

  async cancelRequested(jobId: string): Promise<boolean> {
    const rows = await this.dataSource.query<{ requested: boolean }[]>(
      `SELECT "cancelRequestedAt" IS NOT NULL AS requested FROM job_runs WHERE id = $1`,
      [jobId],
    );
    return rows[0]?.requested === true;
  }

  /**
   * Rows a crash left queued without a BullMQ job (the process died between the two writes) are
   * added to their queue again. Returns how many were repaired.
   */
  async reconcile(olderThanMs = 60_000): Promise<number> {
    const stale = await this.dataSource.query<JobRun[]>(
      `SELECT * FROM job_runs WHERE state = 'queued' AND "cancelRequestedAt" IS NULL AND "createdAt" < now() - make_interval(secs => $1)
        ORDER BY "createdAt" LIMIT 500`,
      [olderThanMs / 1000],
    );
    let repaired = 0;
    for (const run of stale) {
      const queue = this.queues.queue(run.queue as QueueName);
      if (await queue.getJob(run.id)) continue;
      await queue.add(run.name, run.payload, {
        jobId: run.id,
        attempts: run.maxAttempts,
        priority: run.priority || undefined,
        backoff: RETRY_BACKOFF,
      });
      repaired++;
    }
    if (repaired) this.logger.warn(`re-queued ${repaired} ledger job(s) that had no queue entry`);
    return repaired;
  }
}
