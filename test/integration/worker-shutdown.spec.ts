import type { INestApplicationContext } from '@nestjs/common';
import pg from 'pg';
import { JobLedger, QueueService } from '../../libs/jobs/src/index.js';
import { testConfig, availableQueueBackends } from '../helpers/test-config.js';
import { startWorker } from '../helpers/test-apps.js';
import { waitFor } from '../helpers/wait-for.js';

/** Resolves with the promise's value, or rejects naming what did not settle in time. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

describe.each(availableQueueBackends())('worker shutdown on the %s queue backend', (backend) => {
  const started: INestApplicationContext[] = [];
  let sql: pg.Client;

  beforeAll(async () => {
    sql = new pg.Client({ connectionString: testConfig().databaseUrl });
    await sql.connect();
  });

  async function worker(graceSeconds: number) {
    const app = await startWorker(testConfig({ queueBackend: backend, env: { MARQUEE_SHUTDOWN_GRACE_SECONDS: String(graceSeconds) } }));
    started.push(app);
    return app;
  }

  afterAll(async () => {
    for (const app of started) await app.close().catch(() => undefined);
    await sql?.end();
  });

  async function ledgerRow(id: string) {
    const { rows } = await sql.query<{ state: string; error: string | null; attempts: number }>(
      'SELECT state, error, attempts FROM job_runs WHERE id = $1',
      [id],
    );
    return rows[0];
  }

  async function whenActive(id: string) {
    await waitFor(async () => ((await ledgerRow(id))?.state === 'active' ? true : undefined), `job ${id} to start`);
  }

  async function close(app: INestApplicationContext) {
    started.splice(started.indexOf(app), 1);
    await within(app.close(), 15_000, 'the worker close');
  }

  it('a job running when the worker closes finishes first, and the queues it may add to still work meanwhile', async () => {
    const app = await worker(20);
    const { id } = await app.get(JobLedger).enqueue('library-maintenance', 'diagnostic-wait', { ms: 2000 });
    await whenActive(id);

    const closing = close(app);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // What a running job does when it enqueues follow-up work: with the queues closed before the
    // workers, this call never settled on the PostgreSQL backend, and neither did the close.
    const counts = await within(app.get(QueueService).queue('media-probe').getJobCounts('waiting'), 5000, 'a queue call during the close');
    expect(counts).toEqual({ waiting: expect.any(Number) });
    expect((await ledgerRow(id)).state).toBe('active');

    await closing;
    expect(await ledgerRow(id)).toMatchObject({ state: 'completed', attempts: 1 });
  }, 60_000);

  it('a job still running after the grace goes back to its queue, attempts unspent, and runs again on the next start', async () => {
    const first = await worker(1);
    const { id } = await first.get(JobLedger).enqueue('library-maintenance', 'diagnostic-wait', { ms: 30_000 }, undefined, { attempts: 1 });
    await whenActive(id);

    const closedAt = Date.now();
    await close(first);
    // One second of grace, then the job's next one-and-a-half-second step notices the interruption.
    expect(Date.now() - closedAt).toBeLessThan(8000);
    expect(await ledgerRow(id)).toMatchObject({ state: 'queued', error: expect.stringMatching(/worker shut down/), attempts: 1 });

    // The next worker takes it up again: with a single attempt allowed, a counted failure would have ended it.
    const second = await worker(1);
    await whenActive(id);
    const job = await second.get(QueueService).queue('library-maintenance').getJob(id);
    expect(job?.failedReason ?? null).toBeNull();
    expect(job?.attemptsMade).toBe(0);
    expect((await ledgerRow(id)).attempts).toBe(2);

    // Stopped here rather than handed back at the close: left queued, its 30 s would hold a slot of
    // library-maintenance for the next suite that starts a worker on this database.
    await sql.query(`UPDATE job_runs SET "cancelRequestedAt" = now() WHERE id = $1`, [id]);
    await waitFor(async () => ((await ledgerRow(id)).state === 'cancelled' ? true : undefined), `job ${id} to be cancelled`);
  }, 90_000);
});
