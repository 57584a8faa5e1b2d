import { ConflictException, Injectable, Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isQueueName, JOB_STATES, type JobState, QUEUE_NAMES, type QueueName } from '@marquee/contracts';
import { SettingsService } from '@marquee/system/settings.service.js';
import type { JobType, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import type { JobRun } from '../entities/job-run.entity.js';
import { JobEventsService } from '../ledger/job-events.service.js';
import { JobLedger } from '../ledger/job-ledger.service.js';
import type { JobTarget } from '../ledger/job-target.js';
import { QueueService } from '../queue.service.js';
import { effectiveConcurrency, queueConcurrencySetting } from '../scheduling/queue-concurrency.js';
import { FINISHED_JOB_STATES, type FinishedJobState } from './dto.js';
import { JobsQueryService } from './jobs-query.service.js';

export const CANCELLED_BY_ADMIN = 'Cancelled by an administrator';

/** The ETA looks at completions over this window. */
const ETA_WINDOW_SECONDS = 15 * 60;
const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * BullMQ counts. Its PostgreSQL backend reports the waiting jobs of a paused queue as `paused` (a
 * type BullMQ 6 no longer declares); Redis keeps them under `waiting`. Both are summed as waiting.
 */
const BACKLOG_TYPES = ['waiting', 'delayed', 'prioritized', 'active', 'paused' as JobType] as const;
/** Jobs re-enqueued at once by retry-failed. */
const RETRY_BATCH = 10;

export interface QueueSummary {
  name: QueueName;
  paused: boolean;
  /** Parallel jobs per worker process: the admin's setting, else the queue's default. */
  concurrency: number;
  /** Ledger rows per state. */
  counts: Record<JobState, number>;
  /** BullMQ's own view of the backlog. */
  bullmq: { waiting: number; delayed: number; prioritized: number; active: number };
  lastHour: { completed: number; failed: number; failureRate: number | null; throughputPerMinute: number };
  /** Queued jobs ÷ the completion rate of the last 15 minutes; null when nothing completed lately. */
  etaSeconds: number | null;
}

interface LedgerStats {
  counts: Record<JobState, number>;
  completedLastHour: number;
  failedLastHour: number;
  completedRecently: number;
}

const emptyStats = (): LedgerStats => ({
  counts: Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>,
  completedLastHour: 0,
  failedLastHour: 0,
  completedRecently: 0,
});

const targetOf = (run: Pick<JobRun, 'targetType' | 'targetId' | 'targetLabel'>): JobTarget | undefined =>
  run.targetType && run.targetId ? { type: run.targetType, id: run.targetId, label: run.targetLabel ?? undefined } : undefined;

/** The admin actions of the dashboard: retry and cancel jobs; pause, tune, retry and clean queues. */
@Injectable()
export class QueueAdminService {
  private readonly logger = new Logger(QueueAdminService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queues: QueueService,
    private readonly ledger: JobLedger,
    private readonly events: JobEventsService,
    private readonly settings: SettingsService,
    private readonly jobs: JobsQueryService,
  ) {}

  assertQueue(name: string): QueueName {
    if (!isQueueName(name)) throw new NotFoundException(`No queue named "${name}"; the queues are ${QUEUE_NAMES.join(', ')}`);
    return name;
  }

  // ── jobs ─────────────────────────────────────────────────────────────────

  /** A failed or cancelled job runs again as a new ledger job, ahead of the backlog. */
  async retry(id: string): Promise<{ id: string; retryOf: string }> {
    const run = await this.jobs.find(id);
    if (run.state !== 'failed' && run.state !== 'cancelled') {
      throw new ConflictException(`Job ${id} is ${run.state}; only failed or cancelled jobs can be retried`);
    }
    if (!isQueueName(run.queue)) throw new ConflictException(`Job ${id} belongs to queue "${run.queue}", which no longer exists`);
    const retried = await this.ledger.enqueue(run.queue, run.name, run.payload, targetOf(run), {
      priority: 'interactive',
      attempts: run.maxAttempts,
      dedupeKey: run.dedupeKey ?? undefined,
    });
    return { id: retried.id, retryOf: id };
  }

  /**
   * A waiting job is taken off its queue and marked cancelled; a running one gets `cancelRequestedAt`
   * and the worker running it aborts it within about a second. The request is recorded first, so a
   * job a worker picks up meanwhile is still stopped.
   */
  async cancel(id: string): Promise<{ id: string; state: JobState }> {
    // In a CTE, so TypeORM returns the rows (a bare UPDATE answers [rows, count]).
    const requested = await this.dataSource.query<{ state: JobState; queue: string }[]>(
      `WITH requested AS (
         UPDATE job_runs SET "cancelRequestedAt" = COALESCE("cancelRequestedAt", now()), "updatedAt" = now()
          WHERE id = $1 AND state IN ('queued', 'active') RETURNING state, queue)
       SELECT state, queue FROM requested`,
      [id],
    );
    if (requested.length === 0) {
      const run = await this.jobs.find(id);
      throw new ConflictException(`Job ${id} has already finished (${run.state}); only queued or active jobs can be cancelled`);
    }
    const { state, queue: queueName } = requested[0];
    if (state === 'queued' && isQueueName(queueName)) {
      const queue = this.queues.queue(queueName);
      // 0 when a worker holds the job (it turned active meanwhile): the running case then applies.
      await queue.remove(id).catch((error: Error) => this.logger.warn(`could not remove job ${id} from ${queueName}: ${error.message}`));
      if (!(await queue.getJob(id))) {
        const rows = await this.dataSource.query<{ state: JobState }[]>(`SELECT state FROM job_runs WHERE id = $1`, [id]);
        if (rows[0]?.state === 'queued') await this.ledger.markCancelled(id, CANCELLED_BY_ADMIN);
      }
    }
    const now = await this.dataSource.query<{ state: JobState }[]>(`SELECT state FROM job_runs WHERE id = $1`, [id]);
    return { id, state: now[0]?.state ?? 'cancelled' };
  }

  // ── queues ───────────────────────────────────────────────────────────────

  async summaries(): Promise<QueueSummary[]> {
    const stats = await this.ledgerStats();
    return Promise.all(QUEUE_NAMES.map((name) => this.summarize(name, stats.get(name) ?? emptyStats())));
  }

  async summary(name: QueueName): Promise<QueueSummary> {
    const stats = await this.ledgerStats(name);
    return this.summarize(name, stats.get(name) ?? emptyStats());
  }

  async pause(name: QueueName): Promise<QueueSummary> {
    await this.backend(name, (queue) => queue.pause());
    return this.changed(name);
  }

  async resume(name: QueueName): Promise<QueueSummary> {
    await this.backend(name, (queue) => queue.resume());
    return this.changed(name);
  }

  /** Stored as a setting; every worker applies it within five seconds. */
  async setConcurrency(name: QueueName, concurrency: number): Promise<QueueSummary> {
    await this.settings.set(queueConcurrencySetting(name), concurrency);
    return this.changed(name);
  }

  /**
   * Every job of the queue that failed in the last `days` runs again (as backfill), unless the same
   * work — same name, payload and target — was enqueued again after it (a retry, or a fresh run).
   */
  async retryFailed(name: QueueName, days: number): Promise<{ retried: number }> {
    const failed = await this.dataSource.query<JobRun[]>(
      `SELECT f.id, f.name, f.payload, f."targetType", f."targetId", f."targetLabel", f."maxAttempts", f."dedupeKey"
         FROM job_runs f
        WHERE f.queue = $1 AND f.state = 'failed' AND f."finishedAt" >= now() - make_interval(days => $2)
          AND NOT EXISTS (
            SELECT 1 FROM job_runs n
             WHERE n.queue = f.queue AND n.name = f.name AND n."createdAt" > f."createdAt"
               AND n."targetType" IS NOT DISTINCT FROM f."targetType" AND n."targetId" IS NOT DISTINCT FROM f."targetId"
               AND n.payload = f.payload)
        ORDER BY f."createdAt"`,
      [name, days],
    );
    let retried = 0;
    for (let i = 0; i < failed.length; i += RETRY_BATCH) {
      const batch = failed.slice(i, i + RETRY_BATCH);
      const results = await Promise.all(
        batch.map((run) =>
          this.ledger.enqueue(name, run.name, run.payload, targetOf(run), {
            priority: 'bulk',
            attempts: run.maxAttempts,
            dedupeKey: run.dedupeKey ?? undefined,
          }),
        ),
      );
      retried += results.filter((result) => !result.deduplicated).length;
    }
    if (retried) this.logger.log(`${name}: re-enqueued ${retried} failed job(s)`);
    return { retried };
  }

  /** Finished ledger rows older than `olderThanDays` go, with BullMQ's own completed/failed records. */
  async clean(
    name: QueueName,
    olderThanDays: number,
    states: readonly FinishedJobState[] = FINISHED_JOB_STATES,
  ): Promise<{ removed: number }> {
    const [, removed] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM job_runs WHERE queue = $1 AND state = ANY($2::job_state[])
          AND COALESCE("finishedAt", "updatedAt") < now() - make_interval(days => $3)`,
      [name, [...states], olderThanDays],
    );
    const grace = olderThanDays * DAY_MS;
    await this.backend(name, async (queue) => {
      // Cancelled jobs are failed ones to BullMQ; its own retention (removeOnFail) takes those.
      if (states.includes('completed')) await queue.clean(grace, 0, 'completed');
      if (states.includes('failed')) await queue.clean(grace, 0, 'failed');
    });
    return { removed };
  }

  // ── internals ────────────────────────────────────────────────────────────

  private async changed(name: QueueName): Promise<QueueSummary> {
    const summary = await this.summary(name);
    await this.events.publish('queue', { name, paused: summary.paused, concurrency: summary.concurrency });
    return summary;
  }

  private async backend<T>(name: QueueName, operation: (queue: Queue) => Promise<T>): Promise<T> {
    try {
      return await operation(this.queues.queue(name));
    } catch (error) {
      throw new ServiceUnavailableException(`The queue backend did not answer for ${name}: ${(error as Error).message}`);
    }
  }

  /** One pass over the ledger for every queue's counts, last-hour figures and recent completions. */
  private async ledgerStats(queue?: QueueName): Promise<Map<string, LedgerStats>> {
    const rows = await this.dataSource.query<{ queue: string; state: JobState; n: number; lastHour: number; recent: number }[]>(
      `SELECT queue, state, count(*)::int AS n,
              count(*) FILTER (WHERE "finishedAt" >= now() - interval '1 hour')::int AS "lastHour",
              count(*) FILTER (WHERE "finishedAt" >= now() - make_interval(secs => $1))::int AS recent
         FROM job_runs ${queue ? 'WHERE queue = $2' : ''}
        GROUP BY queue, state`,
      queue ? [ETA_WINDOW_SECONDS, queue] : [ETA_WINDOW_SECONDS],
    );
    const stats = new Map<string, LedgerStats>();
    for (const row of rows) {
      const entry = stats.get(row.queue) ?? emptyStats();
      entry.counts[row.state] = row.n;
      if (row.state === 'completed') {
        entry.completedLastHour = row.lastHour;
        entry.completedRecently = row.recent;
      } else if (row.state === 'failed') {
        entry.failedLastHour = row.lastHour;
      }
      stats.set(row.queue, entry);
    }
    return stats;
  }

  private async summarize(name: QueueName, stats: LedgerStats): Promise<QueueSummary> {
    const [concurrency, [paused, backlog]] = await Promise.all([
      this.settings.get<unknown>(queueConcurrencySetting(name), null).then((stored) => effectiveConcurrency(name, stored)),
      this.backend(name, (queue) => Promise.all([queue.isPaused(), queue.getJobCounts(...BACKLOG_TYPES)])),
    ]);
    const { completedLastHour: completed, failedLastHour: failed, completedRecently } = stats;
    const queued = stats.counts.queued;
    return {
      name,
      paused,
      concurrency,
      counts: stats.counts,
      bullmq: {
        waiting: (backlog.waiting ?? 0) + (backlog.paused ?? 0),
        delayed: backlog.delayed ?? 0,
        prioritized: backlog.prioritized ?? 0,
        active: backlog.active ?? 0,
      },
      lastHour: {
        completed,
        failed,
        failureRate: completed + failed > 0 ? Math.round((failed / (completed + failed)) * 1000) / 1000 : null,
        throughputPerMinute: Math.round((completed / 60) * 100) / 100,
      },
      etaSeconds: completedRecently > 0 ? Math.ceil((queued * ETA_WINDOW_SECONDS) / completedRecently) : null,
    };
  }
}
