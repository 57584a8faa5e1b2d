import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import { projectRoot } from '../../libs/core/src/index.js';
import { JobLedger, QueueService } from '../../libs/jobs/src/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { availableQueueBackends, testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';

const workerScript = join(projectRoot(), 'dist', 'apps', 'worker', 'main.js');
const SECRET = 'crash-safety-shared-secret-of-plenty-length-0123456789';

const backends = availableQueueBackends();
if (!backends.includes('redis')) test.skip('kill -9 recovery on the Redis queue backend (skipped: REDIS_URL is not set)', () => undefined);

/** A real worker process (the built one), so it can be killed with SIGKILL mid-job. */
describe.each(backends)('a worker killed with SIGKILL mid-job (%s queue backend)', (backend) => {
  let db: ScratchDatabase;
  let api: NestExpressApplication;
  let sql: pg.Client;
  let queuePrefix: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createScratchDatabase();
    const config = testConfig({ queueBackend: backend, env: { DATABASE_URL: db.url, JWT_SECRET: SECRET } });
    queuePrefix = config.queuePrefix;
    api = await startApi(config);
    if (backend === 'redis') await api.get(QueueService).queue('library-maintenance').obliterate({ force: true });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  async function stopWorkerProcesses() {
    await Promise.all(
      children
        .filter((c) => c.exitCode === null && c.signalCode === null)
        .map((c) => new Promise((resolve) => c.once('exit', resolve).kill('SIGTERM'))),
    );
  }

  afterAll(async () => {
    await stopWorkerProcesses();
    await sql?.end();
    await api?.close();
    await db?.drop();
  });

  async function startWorkerProcess(extraEnv: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: db.url,
      JWT_SECRET: SECRET,
      MARQUEE_DATA_DIR: mkdtempSync(join(tmpdir(), 'marquee-crash-')),
      MARQUEE_MIN_FREE_DISK_MB: '1',
      LOG_LEVEL: 'warn',
      MARQUEE_QUEUE_PREFIX: queuePrefix,
      ...(backend === 'redis' ? { REDIS_URL: process.env.TEST_REDIS_URL } : {}),
      ...extraEnv,
    };
    const child = spawn(process.execPath, [workerScript], { env, stdio: 'ignore' });
    children.push(child);
    await waitFor(
      async () => ((await sql.query('SELECT 1 FROM worker_heartbeats WHERE pid = $1', [child.pid])).rowCount ? true : undefined),
      `worker ${child.pid} to start`,
      30_000,
      200,
    );
    return child;
  }

  it('the job is detected as stalled and finished by the restarted worker; the ledger ends completed with attempts = 2', async () => {
    const first = await startWorkerProcess();
    const { id } = await api
      .get(JobLedger)
      .enqueue('library-maintenance', 'diagnostic-wait', { ms: 6000 }, { type: 'test', id: 'crash', label: 'crash' });
    await waitFor(
      async () => {
        const { rows } = await sql.query('SELECT state, "workerId" FROM job_runs WHERE id = $1', [id]);
        return rows[0]?.state === 'active' && String(rows[0].workerId).endsWith(`:${first.pid}`) ? true : undefined;
      },
      'the job to run on the first worker',
      20_000,
    );
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

    const second = await startWorkerProcess();
    const done = await waitFor(
      async () => {
        const { rows } = await sql.query('SELECT state, attempts, "workerId", result FROM job_runs WHERE id = $1', [id]);
        return rows[0]?.state === 'completed' ? rows[0] : undefined;
      },
      'the restarted worker to finish the job',
      60_000,
      250,
    );
    expect(done).toMatchObject({ state: 'completed', attempts: 2, result: { waitedMs: 6000, attempt: 2 } });
    expect(String(done.workerId)).toMatch(new RegExp(`:${second.pid}$`));
  }, 120_000);

  it('a worker stopped with SIGTERM mid-job exits after its grace and hands the job back to its queue, attempts unspent', async () => {
    await stopWorkerProcesses();
    const worker = await startWorkerProcess({ MARQUEE_SHUTDOWN_GRACE_SECONDS: '1' });
    const { id } = await api
      .get(JobLedger)
      .enqueue('library-maintenance', 'diagnostic-wait', { ms: 30_000 }, { type: 'test', id: 'stop', label: 'stop' }, { attempts: 1 });
    await waitFor(
      async () => ((await sql.query('SELECT state FROM job_runs WHERE id = $1', [id])).rows[0]?.state === 'active' ? true : undefined),
      'the job to run',
      20_000,
    );
    const stoppedAt = Date.now();
    const exited = new Promise<number>((resolve) => worker.once('exit', () => resolve(Date.now() - stoppedAt)));
    worker.kill('SIGTERM');
    // One second of grace, then the job's next 1.5 s step sees the interruption.
    expect(await exited).toBeLessThan(10_000);
    const { rows } = await sql.query('SELECT state, error FROM job_runs WHERE id = $1', [id]);
    expect(rows[0]).toMatchObject({ state: 'queued', error: expect.stringMatching(/worker shut down/) });
    const queue = api.get(QueueService).queue('library-maintenance');
    expect(['waiting', 'prioritized']).toContain(await queue.getJobState(id));
    await queue.remove(id);
  }, 60_000);
});
