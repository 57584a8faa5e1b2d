import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import request from 'supertest';
import { JobLedger } from '../../libs/jobs/src/index.js';
import { findOnPath, freePort, migrateDatabase, startEmbeddedPostgres, type EmbeddedDatabase } from '../../libs/core/src/index.js';
import type { INestApplicationContext } from '@nestjs/common';
import { bearer, createAccount } from '../helpers/accounts.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';

const readyz = (app: NestExpressApplication) => request(app.getHttpServer()).get('/readyz');

/** After the outage, a job enqueued through the api is processed by the worker that rode it out. */
async function expectWorkResumes(api: NestExpressApplication, databaseUrl: string): Promise<void> {
  const { id } = await api.get(JobLedger).enqueue('library-maintenance', 'diagnostic-wait', { ms: 50 });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await waitFor(
      async () =>
        (await client.query('SELECT state FROM job_runs WHERE id = $1', [id])).rows[0]?.state === 'completed' ? true : undefined,
      'a job after the outage to complete',
      30_000,
      200,
    );
  } finally {
    await client.end();
  }
}

describe('GET /healthz and /readyz', () => {
  let api: NestExpressApplication;

  beforeAll(async () => {
    api = await startApi(testConfig());
  });
  afterAll(() => api?.close());

  it('liveness answers without touching dependencies', async () => {
    await request(api.getHttpServer()).get('/healthz').expect(200, { status: 'ok' });
  });

  it('readiness lists every check, all up', async () => {
    const res = await readyz(api).expect(200);
    expect(res.body.status).toBe('ok');
    expect(Object.keys(res.body.details).sort()).toEqual(['database', 'disk', 'ffmpeg', 'ffprobe', 'queue']);
    expect(res.body.details.queue.backend).toBe('postgres');
    expect(res.body.details.ffmpeg.version).toMatch(/^ffmpeg version/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('too little free disk in the data dir is a 503 naming the disk check', async () => {
    const app = await startApi(testConfig({ env: { MARQUEE_MIN_FREE_DISK_MB: '9000000' } }));
    try {
      const res = await readyz(app).expect(503);
      expect(res.body.status).toBe('error');
      expect(Object.keys(res.body.error)).toEqual(['disk']);
      expect(res.body.error.disk.message).toMatch(/MB free in .*; at least 9000000 MB required/);
    } finally {
      await app.close();
    }
  });
});

describe('readiness follows the database down and back up, without a restart', () => {
  let db: EmbeddedDatabase;
  let api: NestExpressApplication;
  // The worker rides out the outage too: its queue connections must not crash it.
  let worker: INestApplicationContext;
  const dataDir = mkdtempSync(join(tmpdir(), 'marquee-readiness-pg-'));

  beforeAll(async () => {
    db = await startEmbeddedPostgres({ dataDir, persistent: true });
    await migrateDatabase(db.url, { queueSchema: true });
    const config = testConfig({ env: { DATABASE_URL: db.url } });
    api = await startApi(config);
    worker = await startWorker(config);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await db?.stop();
  });

  it('503 naming database and queue while PostgreSQL is stopped, 200 once it is back', async () => {
    await readyz(api).expect(200);
    await db.stop();
    const down = await readyz(api).expect(503);
    expect(Object.keys(down.body.error).sort()).toEqual(['database', 'queue']);
    expect(down.body.info).toHaveProperty('ffmpeg');

    db = await startEmbeddedPostgres({ dataDir, port: db.port });
    await waitFor(async () => ((await readyz(api)).status === 200 ? true : undefined), 'readiness to recover', 30_000, 500);
    await expectWorkResumes(api, db.url);
  });
});

const redisServer = findOnPath('redis-server');
const describeRedis = redisServer ? describe : describe.skip; // skipped without a redis-server binary; reported below
if (!redisServer) test.skip('Redis down/up readiness (skipped: no redis-server binary on PATH)', () => undefined);

describeRedis('readiness follows Redis down and back up, without a restart', () => {
  let redis: ChildProcess | undefined;
  let databaseUrl: string;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let port: number;

  const startRedis = async () => {
    redis = spawn(redisServer!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitFor(async () => {
      execFileSync(findOnPath('redis-cli') ?? 'redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
      return true;
    }, 'redis-server to start');
  };
  const redisCli = (args: string[]) =>
    execFileSync(findOnPath('redis-cli') ?? 'redis-cli', ['-p', String(port), ...args])
      .toString()
      .trim();
  const stopRedis = () =>
    new Promise<void>((resolve) => {
      if (!redis || redis.exitCode !== null) return resolve();
      redis.once('exit', () => resolve());
      redis.kill('SIGKILL');
    });

  beforeAll(async () => {
    port = await freePort();
    await startRedis();
    const config = testConfig({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    databaseUrl = config.databaseUrl;
    api = await startApi(config);
    worker = await startWorker(config);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await stopRedis();
  });

  it('lists a redis check, 503 naming redis and queue while it is down, 200 once it is back', async () => {
    const account = await createAccount(api, 'user');
    await request(api.getHttpServer()).get('/api/v1/auth/me').set(bearer(account)).expect(200);
    const up = await readyz(api).expect(200);
    expect(up.body.details.redis.status).toBe('up');
    expect(up.body.details.queue.backend).toBe('redis');
    await stopRedis();
    const down = await readyz(api).expect(503);
    expect(Object.keys(down.body.error).sort()).toEqual(['queue', 'redis']);
    // Sign-in keeps working (rate limits fall back to PostgreSQL): a wrong password is a 401, not a 500.
    await request(api.getHttpServer()).post('/api/v1/auth/login').send({ username: 'nobody', password: 'wrong password' }).expect(401);
    // A logout during the outage works, and its revocation reaches Redis once Redis is back.
    await request(api.getHttpServer()).post('/api/v1/auth/logout').set(bearer(account)).expect(204);
    await request(api.getHttpServer()).get('/api/v1/auth/me').set(bearer(account)).expect(401);
    await startRedis();
    await waitFor(async () => ((await readyz(api)).status === 200 ? true : undefined), 'readiness to recover', 30_000, 500);
    await expectWorkResumes(api, databaseUrl);
    // This fresh Redis knew nothing of the logout; the pending revocation was written to it.
    await waitFor(
      async () => ((await redisCli(['exists', `marquee:revoked-session:${account.sessionId}`])) === '1' ? true : undefined),
      'the revocation to reach Redis',
      10_000,
      200,
    );
    await request(api.getHttpServer()).get('/api/v1/auth/me').set(bearer(account)).expect(401);
  });
});
