import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { QUEUE_NAMES, type PingJobResult, type SystemStatus } from '@marquee/contracts';
import { Redis } from 'ioredis';
import pg from 'pg';
import request from 'supertest';
import { QueueService } from '../../libs/jobs/src/index.js';
import { PROCESS_IDENTITY, queueSchemaFor, type AppConfig } from '../../libs/core/src/index.js';
import { WorkerHeartbeatService } from '../../libs/system/src/index.js';
import { bearer, createAccount } from '../helpers/accounts.js';
import { availableQueueBackends, testConfig } from '../helpers/test-config.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { waitFor } from '../helpers/wait-for.js';

const backends = availableQueueBackends();
if (!backends.includes('redis')) {
  // Reported in the run's output so a green run without Redis is not mistaken for a Redis pass.
  test.skip('Redis queue backend (skipped: REDIS_URL is not set)', () => undefined);
}

describe.each(backends)('api → worker on the %s queue backend', (backend) => {
  let config: AppConfig;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    config = testConfig({ queueBackend: backend });
    api = await startApi(config);
    worker = await startWorker(config);
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  async function finished(jobId: string) {
    const queue = api.get(QueueService).queue('library-maintenance');
    return waitFor(async () => {
      // State first, then the job: a job read while active has no return value yet.
      const state = await queue.getJobState(jobId);
      if (state !== 'completed' && state !== 'failed') return undefined;
      return { job: (await queue.getJob(jobId))!, state };
    }, `job ${jobId} to finish`);
  }

  it('the worker processes a job the api enqueued', async () => {
    const nonce = randomUUID();
    const job = await api.get(QueueService).add('library-maintenance', 'ping', { sentAt: new Date().toISOString(), nonce });
    const { job: done, state } = await finished(job.id!);
    expect(state).toBe('completed');
    expect(done.returnvalue as PingJobResult).toEqual({ nonce, workerId: PROCESS_IDENTITY.id, receivedAt: expect.any(String) });
  });

  it('the queues @nestjs/bullmq built live in the selected backend', async () => {
    // A unique id: numeric ids restart per backend and would match the other backend's jobs.
    const job = await api
      .get(QueueService)
      .add('library-maintenance', 'ping', { sentAt: new Date().toISOString(), nonce: randomUUID() }, { jobId: randomUUID() });
    await finished(job.id!);
    const client = new pg.Client({ connectionString: config.databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${client.escapeIdentifier(queueSchemaFor(config.queuePrefix))}.job WHERE queue = $1 AND id = $2`,
      ['library-maintenance', job.id],
    );
    await client.end();
    if (backend === 'postgres') {
      expect(rows[0].n).toBe(1);
    } else {
      expect(rows[0].n).toBe(0);
      const redis = new Redis(config.redisUrl!);
      expect(await redis.exists(`${config.queuePrefix}:library-maintenance:${job.id}`)).toBe(1);
      redis.disconnect();
    }
  });

  it('a job with a malformed payload fails with a clear reason, and the worker keeps going', async () => {
    const queues = api.get(QueueService);
    const bad = await queues.add('library-maintenance', 'ping', { sentAt: 'now' } as never);
    const { job, state } = await finished(bad.id!);
    expect(state).toBe('failed');
    expect(job.failedReason).toBe('ping job payload needs a string "nonce"');
    const good = await queues.add('library-maintenance', 'ping', { sentAt: new Date().toISOString(), nonce: 'after-failure' });
    expect((await finished(good.id!)).state).toBe('completed');
  });

  it('system status reports the worker through its heartbeat, with its readiness checks', async () => {
    await worker.get(WorkerHeartbeatService).beat();
    const admin = await createAccount(api, 'admin');
    await request(api.getHttpServer()).get('/api/v1/system/status').expect(401);
    const res = await request(api.getHttpServer()).get('/api/v1/system/status').set(bearer(admin)).expect(200);
    const status = res.body as SystemStatus;
    expect(status.backends.queue).toBe(backend);
    const me = status.workers.find((w) => w.id === PROCESS_IDENTITY.id);
    expect(me).toMatchObject({ alive: true, pid: process.pid });
    const expectedChecks = ['database', 'queue', 'disk', 'ffmpeg', 'ffprobe', ...(backend === 'redis' ? ['redis'] : [])];
    expect(Object.keys(me!.checks).sort()).toEqual(expectedChecks.sort());
    for (const name of expectedChecks) expect(me!.checks[name].status).toBe('up');
  });
});

describe('PostgreSQL connections of the queues', () => {
  let db: ScratchDatabase;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    // A database of its own: the suites running beside this one hold connections to the shared one.
    db = await createScratchDatabase();
    const config = testConfig({ queueBackend: 'postgres', env: { DATABASE_URL: db.url } });
    api = await startApi(config);
    worker = await startWorker(config);
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await db?.drop();
  });

  it('the queues of a process share one connection pool, beside one LISTEN connection per worker', async () => {
    const queues = api.get(QueueService);
    // Touch every queue at once so that separate pools would each have opened connections.
    await Promise.all(QUEUE_NAMES.map((name) => queues.queue(name).getJobCounts('waiting', 'active')));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ name: string; n: number }>(
      `SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() GROUP BY 1`,
    );
    await client.end();
    const count = (name: string) => rows.find((row) => row.name === name)?.n ?? 0;
    // The api and the worker run in this one test process: one pool of at most 10 serves both.
    expect(count('marquee-queue')).toBeGreaterThan(0);
    expect(count('marquee-queue')).toBeLessThanOrEqual(10);
    // Each Worker LISTENs on a connection of its own, named after its queue by BullMQ.
    const listening = rows.filter((row) => (QUEUE_NAMES as readonly string[]).includes(row.name)).reduce((sum, row) => sum + row.n, 0);
    expect(listening).toBeGreaterThan(0);
    expect(listening).toBeLessThanOrEqual(QUEUE_NAMES.length);
  });
});
