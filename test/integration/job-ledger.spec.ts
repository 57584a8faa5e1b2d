import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import { JobLedger, QueueService } from '../../libs/jobs/src/index.js';
import { processRunning } from '../helpers/processes.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { availableQueueBackends, testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';

interface Row {
  id: string;
  state: string;
  attempts: number;
  maxAttempts: number;
  progress: number;
  progressMessage: string | null;
  durationMs: number | null;
  result: Record<string, unknown> | null;
  error: string | null;
  stack: string | null;
  workerId: string | null;
  logCount: number;
  targetLabel: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const backends = availableQueueBackends();
if (!backends.includes('redis')) test.skip('job ledger on the Redis queue backend (skipped: REDIS_URL is not set)', () => undefined);

describe.each(backends)('job ledger on the %s queue backend', (backend) => {
  let db: ScratchDatabase;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let sql: pg.Client;

  beforeAll(async () => {
    db = await createScratchDatabase();
    const config = testConfig({ queueBackend: backend, env: { DATABASE_URL: db.url } });
    api = await startApi(config);
    worker = await startWorker(config);
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    // Redis keeps queues across runs; start from empty ones.
    if (backend === 'redis') await api.get(QueueService).queue('library-maintenance').obliterate({ force: true });
  });
  afterAll(async () => {
    await sql?.end();
    await worker?.close();
    await api?.close();
    await db?.drop();
  });

  const ledger = () => api.get(JobLedger);
  const row = async (id: string) => (await sql.query<Row>('SELECT * FROM job_runs WHERE id = $1', [id])).rows[0];
  const settled = (id: string, timeoutMs = 20_000) =>
    waitFor(
      async () => {
        const r = await row(id);
        return r && ['completed', 'failed', 'cancelled'].includes(r.state) ? r : undefined;
      },
      `job ${id} to settle`,
      timeoutMs,
    );

  const failedInQueue = (id: string) =>
    waitFor(async () => {
      // State first, then the job: a job read before it failed for good still holds the previous attempt's reason.
      const queue = api.get(QueueService).queue('library-maintenance');
      return (await queue.getJobState(id)) === 'failed' ? await queue.getJob(id) : undefined;
    }, `BullMQ to record job ${id} as failed`);

  it('enqueue writes the ledger row and the queue job under one id; the wrapper records the whole run', async () => {
    const { id, deduplicated } = await ledger().enqueue(
      'library-maintenance',
      'diagnostic-wait',
      { ms: 200 },
      { type: 'item', id: 'i1', label: 'Alien (1979)' },
    );
    expect(deduplicated).toBe(false);
    expect(await api.get(QueueService).queue('library-maintenance').getJob(id)).toBeTruthy();
    const done = await settled(id);
    expect(done).toMatchObject({
      state: 'completed',
      attempts: 1,
      progress: 100,
      progressMessage: 'step 20 of 20',
      targetLabel: 'Alien (1979)',
      error: null,
      logCount: 1,
    });
    expect(done.durationMs).toBeGreaterThanOrEqual(150);
    expect(done.result).toMatchObject({ waitedMs: 200, attempt: 1 });
    expect(done.workerId).toMatch(/:\d+$/);
    expect(done.finishedAt!.getTime()).toBeGreaterThanOrEqual(done.startedAt!.getTime());
    const logs = await sql.query('SELECT level, message FROM job_logs WHERE "jobId" = $1', [id]);
    expect(logs.rows).toEqual([{ level: 'info', message: expect.stringMatching(/^waited 200 ms on /) }]);
  });

  it('duplicate work is deduplicated while the first job is open', async () => {
    const queue = api.get(QueueService).queue('library-maintenance');
    await queue.pause();
    try {
      const first = await ledger().enqueue('library-maintenance', 'diagnostic-wait', { ms: 10 }, undefined, {
        dedupeKey: 'scan:library-1',
      });
      const second = await ledger().enqueue('library-maintenance', 'diagnostic-wait', { ms: 10 }, undefined, {
        dedupeKey: 'scan:library-1',
      });
      expect(second).toEqual({ id: first.id, deduplicated: true });
      expect((await sql.query(`SELECT count(*)::int AS n FROM job_runs WHERE "dedupeKey" = 'scan:library-1'`)).rows[0].n).toBe(1);
      await queue.resume();
      await settled(first.id);
      const third = await ledger().enqueue('library-maintenance', 'diagnostic-wait', { ms: 10 }, undefined, {
        dedupeKey: 'scan:library-1',
      });
      expect(third.deduplicated).toBe(false);
      expect(third.id).not.toBe(first.id);
      await settled(third.id);
    } finally {
      await queue.resume();
    }
  });

  it('retries with backoff are attempts of one ledger row; the last failure is a real BullMQ failure with its reason', async () => {
    const recovered = await ledger().enqueue('library-maintenance', 'diagnostic-wait', { ms: 10, failAttempts: 1 }, undefined, {
      attempts: 3,
    });
    const ok = await settled(recovered.id, 30_000);
    expect(ok).toMatchObject({ state: 'completed', attempts: 2, error: null });

    const doomed = await ledger().enqueue('library-maintenance', 'diagnostic-wait', { ms: 10, failAttempts: 9 }, undefined, {
      attempts: 2,
    });
    const failed = await settled(doomed.id, 30_000);
    expect(failed).toMatchObject({ state: 'failed', attempts: 2, maxAttempts: 2, error: 'failing attempt 2 on purpose' });
    expect(failed.stack).toMatch(/^Error: failing attempt 2 on purpose\n\s+at /);
    // The ledger is written just before the processor throws; BullMQ records the failure right after.
    const job = await failedInQueue(doomed.id);
    expect(job.failedReason).toBe('failing attempt 2 on purpose');
  }, 60_000);

  it('a malformed payload fails at once with a clear error, without retries', async () => {
    const { id } = await ledger().enqueue('library-maintenance', 'diagnostic-wait', { ms: 'soon' } as never, undefined, { attempts: 3 });
    expect(await settled(id)).toMatchObject({
      state: 'failed',
      attempts: 1,
      error: 'diagnostic-wait needs "ms", an integer from 0 to 3600000',
    });
  });

  it('interactive work jumps ahead of bulk backfills', async () => {
    const queue = api.get(QueueService).queue('library-maintenance');
    await queue.pause();
    const bulk = [];
    for (let i = 0; i < 4; i++)
      bulk.push((await ledger().enqueue('library-maintenance', 'diagnostic-wait', { ms: 100 }, undefined, { priority: 'bulk' })).id);
    const urgent = (await ledger().enqueue('library-maintenance', 'diagnostic-wait', { ms: 100 }, undefined, { priority: 'interactive' }))
      .id;
    await queue.resume();
    const rows = await Promise.all([...bulk, urgent].map((id) => settled(id)));
    // The queue runs two at a time: the interactive job is in the first pair, ahead of three bulk jobs.
    const order = [...rows].sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime()).map((r) => r.id);
    expect(order.indexOf(urgent)).toBeLessThan(2);
  });

  it('cancelling a running job kills its ffmpeg and the ledger says cancelled; the worker goes on', async () => {
    const { id } = await ledger().enqueue('library-maintenance', 'diagnostic-ffmpeg', { seconds: 60 });
    const marker = `marquee-job-${id}`;
    await waitFor(async () => (processRunning(marker) ? true : undefined), 'ffmpeg to start', 20_000);
    await sql.query('UPDATE job_runs SET "cancelRequestedAt" = now() WHERE id = $1', [id]);
    const cancelled = await settled(id, 10_000);
    expect(cancelled).toMatchObject({ state: 'cancelled', error: 'Cancelled by an administrator' });
    expect(processRunning(marker)).toBe(false);
    const job = await failedInQueue(id);
    expect(job.failedReason).toBe('Cancelled: Cancelled by an administrator');
    expect(job.attemptsMade).toBe(1);
    const next = await ledger().enqueue('library-maintenance', 'diagnostic-wait', { ms: 10 });
    expect((await settled(next.id)).state).toBe('completed');
  });

  it('a ledger row left without a queue job (a crash between the two writes) is repaired', async () => {
    await sql.query(
      `INSERT INTO job_runs (id, queue, name, state, payload, "maxAttempts", "createdAt") VALUES ($1, 'library-maintenance', 'diagnostic-wait', 'queued', $2, 1, now() - interval '2 minutes')`,
      [`orphan-${backend}`, JSON.stringify({ ms: 10 })],
    );
    expect(await ledger().reconcile(60_000)).toBe(1);
    expect(await settled(`orphan-${backend}`)).toMatchObject({ state: 'completed', attempts: 1 });
    expect(await ledger().reconcile(60_000)).toBe(0);
  });

  it('scheduled jobs exist once however many workers start, and each run happens on one worker only', async () => {
    const again = await startWorker(testConfig({ queueBackend: backend, env: { DATABASE_URL: db.url } }));
    const queue = api.get(QueueService).queue('library-maintenance');
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual([
        'clean-derived-files',
        'clean-ledger',
        'clean-missing-items',
        'evict-artwork-cache',
        'evict-hls-cache',
        'reconcile-ledger',
      ]);

      // A schedule firing every 500 ms for ~3 s, with two workers listening: about six runs, not twelve.
      await queue.upsertJobScheduler('every-half-second', { every: 500 }, { name: 'diagnostic-wait', data: { ms: 1, tag: 'scheduled' } });
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await queue.removeJobScheduler('every-half-second');
      // The last run may have been created just before the removal: wait until none is open.
      const rows = await waitFor(
        async () => {
          const { rows: runs } = await sql.query<{ id: string; state: string; workerId: string }>(
            `SELECT id, state, "workerId" FROM job_runs WHERE name = 'diagnostic-wait' AND payload->>'tag' = 'scheduled'`,
          );
          return runs.some((r) => r.state === 'queued' || r.state === 'active') ? undefined : runs;
        },
        'the scheduled runs to finish',
        15_000,
      );
      expect(rows.length).toBeGreaterThanOrEqual(4);
      expect(rows.length).toBeLessThanOrEqual(8);
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      expect(rows.every((r) => r.state === 'completed')).toBe(true);
    } finally {
      await again.close();
    }
  });
});
