import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SystemStatus } from '@marquee/contracts';
import pg from 'pg';
import { freePort, projectRoot } from '../../libs/core/src/index.js';
import { processesMentioning } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * `npm start` as a user runs it: the built supervisor, embedded PostgreSQL (or the servers named in
 * DATABASE_URL/REDIS_URL), the api and the worker as child processes.
 */
const supervisorScript = join(projectRoot(), 'dist', 'apps', 'supervisor', 'main.js');

interface Running {
  child: ChildProcess;
  output: () => string;
  port: number;
  base: string;
  exit: Promise<number | null>;
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...extra };
  return env;
}

const started: ChildProcess[] = [];
// A failed assertion must not leave a server running behind the suite.
afterAll(async () => {
  const running = started.filter((child) => child.exitCode === null && child.signalCode === null);
  await Promise.all(running.map((child) => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM'))));
});

async function start(env: Record<string, string>): Promise<Running> {
  const port = Number(env.PORT ?? (await freePort()));
  let output = '';
  const child = spawn(process.execPath, [supervisorScript], {
    env: cleanEnv({ PORT: String(port), ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const running = { child, output: () => output, port, base: `http://127.0.0.1:${port}`, exit };
  await waitFor(
    async () => (output.includes('is running — open') ? true : undefined),
    `"is running" (output so far:\n${output})`,
    90_000,
    200,
  ).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n--- output ---\n${output}`);
  });
  return running;
}

async function stop(running: Running, signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
  running.child.kill(signal);
  return running.exit;
}

const ADMIN = { username: 'admin', password: 'a long e2e admin passphrase' };
const ADMIN_ENV = { MARQUEE_ADMIN_USER: ADMIN.username, MARQUEE_ADMIN_PASSWORD: ADMIN.password };

const json = async <T>(url: string, token?: string) => {
  const res = await fetch(url, token ? { headers: { Authorization: `Bearer ${token}` } } : undefined);
  return { status: res.status, body: (await res.json()) as T };
};

/** Signs in as the admin that MARQUEE_ADMIN_USER/PASSWORD created at start. */
async function adminToken(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

if (!existsSync(supervisorScript)) throw new Error('dist is missing: run the tests with `npm test` (it builds first)');

describe('npm start with nothing configured (embedded PostgreSQL, PostgreSQL queue backend)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'marquee-e2e-'));

  it('serves health, docs, status and the client; stops cleanly on Ctrl-C; a second start reuses the data', async () => {
    const first = await start({ MARQUEE_DATA_DIR: dataDir, ...ADMIN_ENV });
    expect(first.output()).toContain(`open http://localhost:${first.port}/`);
    expect(first.output()).toMatch(/database migrated \(applied Initial\d+(, [A-Z][A-Za-z]+\d+)*\); queue backend: PostgreSQL/);

    const ready = await json<{ status: string; details: Record<string, { status: string }> }>(`${first.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.details).sort()).toEqual(['database', 'disk', 'ffmpeg', 'ffprobe', 'queue']);

    const docs = await fetch(`${first.base}/api/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
    const openapi = await json<{ openapi: string; paths: Record<string, unknown> }>(`${first.base}/api/docs/openapi.json`);
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/api/v1/system/status']));

    const client = await fetch(`${first.base}/`, { headers: { Accept: 'text/html' } });
    expect(client.status).toBe(200);
    expect(await client.text()).toMatch(/<title>Marquee<\/title>/);

    expect((await json(`${first.base}/api/v1/system/status`)).status).toBe(401);
    const token = await adminToken(first.base);
    const status = await waitFor(async () => {
      const { body } = await json<SystemStatus>(`${first.base}/api/v1/system/status`, token);
      return body.workers.some((w) => w.alive) ? body : undefined;
    }, 'a worker heartbeat');
    expect(status.backends).toEqual({ database: 'embedded-postgres', queue: 'postgres' });
    const workerPid = status.workers.find((w) => w.alive)!.pid;

    // A crashed child is reported and restarted, not hidden.
    process.kill(workerPid, 'SIGKILL');
    await waitFor(
      async () => (first.output().includes('worker was killed by SIGKILL unexpectedly; restarting') ? true : undefined),
      'the crash report',
    );
    await waitFor(async () => {
      const { body } = await json<SystemStatus>(`${first.base}/api/v1/system/status`, token);
      return body.workers.some((w) => w.alive && w.pid !== workerPid) ? true : undefined;
    }, 'the restarted worker');

    expect(await stop(first, 'SIGINT')).toBe(0);
    expect(first.output()).toContain('marquee: stopped');
    expect(processesMentioning(join(dataDir, 'postgres'))).toEqual([]);
    await expect(fetch(`${first.base}/healthz`)).rejects.toThrow();

    const secret = readFileSync(join(dataDir, 'secrets', 'jwt-secret'), 'utf8');
    const second = await start({ MARQUEE_DATA_DIR: dataDir, ...ADMIN_ENV });
    expect(second.output()).toContain('database migrated (already up to date)');
    expect((await fetch(`${second.base}/readyz`)).status).toBe(200);
    expect(readFileSync(join(dataDir, 'secrets', 'jwt-secret'), 'utf8')).toBe(secret);
    expect(await stop(second, 'SIGTERM')).toBe(0);
  }, 180_000);

  it('a malformed variable stops the start with one line naming it', async () => {
    const child = spawn(process.execPath, [supervisorScript], { env: cleanEnv({ MARQUEE_DATA_DIR: dataDir, PORT: 'eighty' }) });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(78);
    expect(stderr).toBe('marquee supervisor: configuration error: PORT must be an integer from 1 to 65535 (got "eighty")\n');
  });
});

// Skipped unless REDIS_URL and DATABASE_URL point at real servers; reported below.
const externalServers = process.env.TEST_REDIS_URL && process.env.TEST_DATABASE_SERVER_URL ? describe : describe.skip;
if (!process.env.TEST_REDIS_URL) test.skip('npm start with DATABASE_URL and REDIS_URL (skipped: REDIS_URL is not set)', () => undefined);

externalServers('npm start with DATABASE_URL and REDIS_URL set', () => {
  const name = `marquee_e2e_${process.pid}`;
  let databaseUrl: string;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_SERVER_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    await admin.end();
    const url = new URL(process.env.TEST_DATABASE_SERVER_URL!);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  });

  afterAll(async () => {
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.end();
  });

  it('uses those servers: no embedded PostgreSQL, BullMQ on Redis, redis in readiness', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marquee-e2e-ext-'));
    const running = await start({
      MARQUEE_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.TEST_REDIS_URL!,
      ...ADMIN_ENV,
    });
    try {
      expect(running.output()).not.toContain('embedded PostgreSQL');
      expect(running.output()).toContain('queue backend: Redis');
      expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
      const ready = await json<{ details: Record<string, { status: string }> }>(`${running.base}/readyz`);
      expect(ready.status).toBe(200);
      expect(Object.keys(ready.body.details).sort()).toEqual(['database', 'disk', 'ffmpeg', 'ffprobe', 'queue', 'redis']);
      const token = await adminToken(running.base);
      const status = await waitFor(async () => {
        const { body } = await json<SystemStatus>(`${running.base}/api/v1/system/status`, token);
        return body.workers.some((w) => w.alive) ? body : undefined;
      }, 'a worker heartbeat');
      expect(status.backends).toEqual({ database: 'postgres', queue: 'redis' });
    } finally {
      expect(await stop(running)).toBe(0);
    }
  });
});
