import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { JobEventBus, JobLedger } from '../../libs/jobs/src/index.js';
import { bearer, createAccount, type TestAccount } from '../helpers/accounts.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { availableQueueBackends, testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';

const backends = availableQueueBackends();
if (!backends.includes('redis'))
  test.skip('job events through Redis pub/sub across replicas (skipped: REDIS_URL is not set)', () => undefined);

interface SseEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

/** A minimal EventSource over node:http: collects events, comments and `retry:` as they arrive. */
class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retry?: number;
  private buffer = '';
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly req: http.ClientRequest,
    readonly res: http.IncomingMessage,
  ) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => this.receive(chunk));
  }

  static open(app: NestExpressApplication, headers: Record<string, string>, path = '/api/v1/events'): Promise<SseClient> {
    const { port } = app.getHttpServer().address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path, headers: { Accept: 'text/event-stream', ...headers } }, (res) =>
        resolve(new SseClient(req, res)),
      );
      req.on('error', reject);
    });
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event: Partial<SseEvent> = {};
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) event.id = line.slice(4);
        else if (line.startsWith('event: ')) event.event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
        else if (line.startsWith('retry: ')) this.retry = Number(line.slice(7));
      }
      if (data.length) this.events.push({ id: event.id!, event: event.event ?? 'message', data: JSON.parse(data.join('\n')) });
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves with all events so far once `done` holds for them. */
  async until(done: (events: SseEvent[]) => boolean, what: string, timeoutMs = 20_000): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.events)) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.events;
  }

  close(): void {
    this.req.destroy();
  }
}

const jobEvents = (events: SseEvent[], jobId: string) => events.filter((e) => e.event === 'job' && e.data.id === jobId);
const completed = (jobId: string) => (events: SseEvent[]) => jobEvents(events, jobId).some((e) => e.data.state === 'completed');
/** States in order of arrival, repeats (progress updates) collapsed. */
const stateSequence = (events: SseEvent[]) =>
  events.map((e) => e.data.state as string).filter((state, i, all) => i === 0 || state !== all[i - 1]);

function expectStrictlyIncreasing(ids: string[]): void {
  for (let i = 1; i < ids.length; i++) expect(BigInt(ids[i])).toBeGreaterThan(BigInt(ids[i - 1]));
}

/**
 * Two api replicas and a worker on one scratch database (and, with Redis, one Redis): job changes
 * made through replica A and the worker reach an SSE client of replica B, through Redis pub/sub or
 * PostgreSQL LISTEN/NOTIFY, and a client reconnecting with Last-Event-ID gets what it missed.
 */
describe.each(backends)('GET /api/v1/events across api replicas (%s)', (backend) => {
  let db: ScratchDatabase;
  let a: NestExpressApplication;
  let b: NestExpressApplication;
  let worker: INestApplicationContext;
  let admin: TestAccount;
  const clients: SseClient[] = [];

  const open = async (headers: Record<string, string> = {}, path?: string) => {
    const client = await SseClient.open(b, { ...bearer(admin), ...headers }, path);
    clients.push(client);
    return client;
  };
  const enqueueWait = async () =>
    (await a.get(JobLedger).enqueue('library-maintenance', 'diagnostic-wait', { ms: 300 }, { type: 'test', id: 'x', label: 'Wait' })).id;

  beforeAll(async () => {
    db = await createScratchDatabase();
    const env: Record<string, string> = { DATABASE_URL: db.url, JWT_SECRET: 'replicas-share-this-secret-of-48-characters-long!' };
    if (backend === 'redis') {
      // A Redis database of its own: BullMQ queues are not per PostgreSQL database, and another
      // suite's worker on the shared Redis would otherwise take these jobs (pub/sub ignores the db).
      const url = new URL(process.env.TEST_REDIS_URL!);
      url.pathname = `/${1 + (process.pid % 15)}`;
      env.REDIS_URL = url.toString();
    }
    a = await startApi(testConfig({ queueBackend: backend, env }));
    b = await startApi(testConfig({ queueBackend: backend, env }));
    worker = await startWorker(testConfig({ queueBackend: backend, env }));
    admin = await createAccount(a, 'admin');
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await worker?.close();
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('streams a job enqueued on replica A and run by the worker to a client of replica B, in order', async () => {
    const sse = await open();
    expect(sse.res.statusCode).toBe(200);
    expect(sse.res.headers['content-type']).toBe('text/event-stream');
    expect(sse.res.headers['cache-control']).toBe('no-cache, no-transform');
    expect(sse.res.headers['x-accel-buffering']).toBe('no');
    await waitFor(async () => (sse.retry === 3000 ? true : undefined), 'the retry field');

    const jobId = await enqueueWait();
    const events = await sse.until(completed(jobId), `job ${jobId} to complete`);
    const mine = jobEvents(events, jobId);
    expect(stateSequence(mine)).toEqual(['queued', 'active', 'completed']);
    expect(mine.some((e) => e.data.state === 'active' && (e.data.progress as number) > 0)).toBe(true);
    expect(mine.every((e) => typeof e.data.at === 'string' && e.data.targetLabel === 'Wait')).toBe(true);
    expectStrictlyIncreasing(events.map((e) => e.id));
    sse.close();
  });

  it('a client reconnecting with Last-Event-ID receives what it missed, and nothing before', async () => {
    const first = await open();
    const firstJob = await enqueueWait();
    const seen = await first.until(completed(firstJob), `job ${firstJob} to complete`);
    const lastSeen = seen.at(-1)!.id;
    first.close();

    const missedJob = await enqueueWait();
    const dataSource = a.get(DataSource);
    await waitFor(async () => {
      const rows = await dataSource.query<{ state: string }[]>(`SELECT state FROM job_runs WHERE id = $1`, [missedJob]);
      return rows[0]?.state === 'completed' ? true : undefined;
    }, `job ${missedJob} to complete`);

    const stored = (
      await dataSource.query<{ id: string }[]>(`SELECT id::text AS id FROM job_events WHERE id > $1 ORDER BY id`, [lastSeen])
    ).map((row) => row.id);
    for (const [headers, path] of [
      [{ 'Last-Event-ID': lastSeen }, undefined],
      [{}, `/api/v1/events?lastEventId=${lastSeen}`],
    ] as const) {
      const again = await open(headers, path);
      const replayed = await again.until(completed(missedJob), `the replay of job ${missedJob}`);
      expect(replayed.every((e) => BigInt(e.id) > BigInt(lastSeen))).toBe(true);
      expect(replayed.slice(0, stored.length).map((e) => e.id)).toEqual(stored);
      expectStrictlyIncreasing(replayed.map((e) => e.id));
      expect(stateSequence(jobEvents(replayed, missedJob))).toEqual(['queued', 'active', 'completed']);
      expect(jobEvents(replayed, firstJob)).toEqual([]);
      again.close();
    }
  });

  it('without Last-Event-ID nothing is replayed', async () => {
    const rows = await a.get(DataSource).query<{ max: string }[]>(`SELECT coalesce(max(id), 0)::text AS max FROM job_events`);
    expect(BigInt(rows[0].max)).toBeGreaterThan(0n);
    const sse = await open();
    await waitFor(async () => (sse.retry === 3000 ? true : undefined), 'the retry field');
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Only live events (say, of the maintenance schedule) may arrive.
    expect(sse.events.filter((e) => BigInt(e.id) <= BigInt(rows[0].max))).toEqual([]);
    sse.close();
  });

  it('is for administrators only', async () => {
    const user = await createAccount(a, 'user');
    await request(b.getHttpServer()).get('/api/v1/events').expect(401);
    await request(b.getHttpServer()).get('/api/v1/events').set(bearer(user)).expect(403);
  });

  it('a client that disconnects leaves no listener behind', async () => {
    const bus = b.get(JobEventBus);
    // Earlier tests' clients may still be going away.
    await waitFor(async () => (bus.listenerCount === 0 ? true : undefined), 'earlier clients to be cleaned up');
    const before = bus.listenerCount;
    const sse = await open();
    await waitFor(async () => (bus.listenerCount === before + 1 ? true : undefined), 'the client to subscribe');
    sse.close();
    await waitFor(async () => (bus.listenerCount === before ? true : undefined), 'the listener to be removed');
  });
});
