import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import fc from 'fast-check';
import { isHlsRendition } from '@marquee/contracts';
import pg from 'pg';
import type { AppConfig } from '../../libs/core/src/index.js';
import { JobLedger, QueueService } from '../../libs/jobs/src/index.js';
import { TranscodeStore } from '../../libs/streaming/src/hls/sessions/transcode-store.js';
import { HlsStorage } from '../../libs/streaming/src/hls/storage/hls-storage.js';
import { SegmentCacheEviction } from '../../libs/streaming/src/hls/worker/segment-cache-eviction.js';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { makeVideo } from '../helpers/media-fixtures.js';
import { processRunning } from '../helpers/processes.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';
import { catalogue, type Catalogued, raw } from './hls-helpers.js';

const HOSTILE = [
  '..',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '..%5C..%5Cwindows%5Cwin.ini',
  '%2e%2e%2f%2e%2e%2f',
  '..%252F..%252F',
  '%2E%2E',
  '..%00',
  '720p%00.ts',
  '-i',
  'file:%2Fetc%2Fpasswd',
  '-1.ts',
  '1e3.ts',
  '0x1.ts',
  '007.ts',
  '99999999999999999999.ts',
  '1.ts%2F..',
  '%20240p',
  '240p%0A',
];

/** A path segment: a known-hostile literal, or any string, percent-encoded (sometimes twice). */
const component = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s)),
  fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(`../${s}`)),
  fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(encodeURIComponent(`..\\${s}`))),
);

const DAY_MS = 86_400_000;

/** What the server sees of a path segment or query value: percent-decoded once, as Express decodes it. */
function decodedOnce(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Nothing from a request reaches ffmpeg or a path unchecked; dead transcodes are cleared; the cache stays bounded. */
describe('HLS hardening', () => {
  let config: AppConfig;
  let api: NestExpressApplication;
  let worker: INestApplicationContext | undefined;
  let sql: pg.Client;
  let user: TestAccount;
  let storage: HlsStorage;
  let item: Catalogued;

  const count = async (query: string) => Number((await sql.query(query)).rows[0].count);

  beforeAll(async () => {
    config = testConfig();
    api = await startApi(config);
    ({ user } = await seedAccounts(api));
    storage = api.get(HlsStorage);
    sql = new pg.Client({ connectionString: config.databaseUrl });
    await sql.connect();
    const media = mkdtempSync(join(tmpdir(), 'marquee-hls-hard-'));
    await makeVideo(join(media, 'small.mkv'), { seconds: 2 });
    item = await catalogue(api, join(media, 'small.mkv'), 'Small');
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await worker?.close();
    await api?.close();
  });

  it('hostile renditions, segment numbers, audio indexes and item ids are 4xx, start nothing and touch no file', async () => {
    const transcodesBefore = await count(`SELECT count(*) FROM hls_transcodes WHERE "itemId" = '${item.itemId}'`);
    const jobsBefore = await count(`SELECT count(*) FROM job_runs WHERE queue = 'hls-transcode' AND "targetId" = '${item.itemId}'`);
    const base = `/api/v1/stream/${item.itemId}/hls`;
    const audioIndexes = (
      await sql.query(`SELECT "streamIndex" FROM media_streams WHERE "fileId" = $1 AND type = 'audio'`, [item.fileId])
    ).rows.map((row) => String(row.streamIndex));
    expect(audioIndexes.length).toBeGreaterThan(0);
    // The generators can produce a real request by chance ("1" is the item's audio stream); those are not hostile.
    const legitimate = {
      rendition: (a: string) => isHlsRendition(decodedOnce(a)),
      segment: (b: string) => /^(0|[1-9]\d{0,6})\.ts$/.test(decodedOnce(b)),
      audio: (c: string) => audioIndexes.includes(decodedOnce(c)),
    };
    await fc.assert(
      fc.asyncProperty(
        component,
        component,
        component,
        fc.constantFrom('rendition', 'segment', 'audio', 'playlist', 'item'),
        async (a, b, c, where) => {
          fc.pre(
            !{
              rendition: legitimate.rendition(a),
              segment: legitimate.segment(b),
              audio: legitimate.audio(c),
              playlist: legitimate.rendition(a) && legitimate.audio(c),
              item: false,
            }[where],
          );
          const path = {
            rendition: `${base}/${a}/0.ts`,
            segment: `${base}/240p/${b}`,
            audio: `${base}/240p/0.ts?audio=${c}`,
            playlist: `${base}/${a}/index.m3u8?audio=${c}`,
            item: `/api/v1/stream/${a}/hls/240p/${b}`,
          }[where];
          const response = await raw(api, 'GET', path, bearer(user));
          if (![400, 404].includes(response.status))
            throw new Error(`${path} → ${response.status} ${response.body.toString().slice(0, 200)}`);
        },
      ),
      { numRuns: 150 },
    );
    expect(await count(`SELECT count(*) FROM hls_transcodes WHERE "itemId" = '${item.itemId}'`)).toBe(transcodesBefore);
    expect(await count(`SELECT count(*) FROM job_runs WHERE queue = 'hls-transcode' AND "targetId" = '${item.itemId}'`)).toBe(jobsBefore);
    expect(existsSync(storage.cacheRoot)).toBe(false);
  });

  it('a segment whose transcode ended between a request looking for the file and for the transcode is not transcoded again', async () => {
    const store = api.get(TranscodeStore);
    const variantKey = `race-${randomUUID()}`;
    const request = { itemId: item.itemId, fileId: item.fileId, variantKey, rendition: '240p', audioStreamIndex: null, userId: user.id };
    // The run that made segments 0–2 and then ended: the request saw no file, then no live transcode.
    await sql.query(
      `INSERT INTO hls_transcodes (id, "itemId", "fileId", "variantKey", rendition, "startSegment", "nextSegment", "lastSegment",
                                   "requestedSegment", state, "lastRequestAt", "endedAt")
       VALUES ($1, $2, $3, $4, '240p', 0, 3, 2, 1, 'finished', now(), now())`,
      [randomUUID(), item.itemId, item.fileId, variantKey],
    );
    const rows = () => count(`SELECT count(*) FROM hls_transcodes WHERE "variantKey" = '${variantKey}'`);
    expect(await store.findOrStart({ ...request, startSegment: 1, lastSegment: 2 }, async () => true)).toBeNull();
    expect(await rows()).toBe(1);
    // Had the segment really been missing, a new run would start there.
    const started = await store.findOrStart({ ...request, startSegment: 1, lastSegment: 2 }, async () => false);
    expect(started).toMatchObject({ created: true, transcode: { startSegment: 1, state: 'queued' } });
    expect(await rows()).toBe(2);
    await store.end([started!.transcode.id], 'stopped');
  });

  it('a worker starting wipes the transcodes dead workers left: their rows, their work folders and their encoders', async () => {
    // A process that has exited: its pid is a dead worker's.
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const insert = (id: string, heartbeatAgoMs: number, host: string, pid: number) =>
      sql.query(
        `INSERT INTO hls_transcodes (id, "itemId", "fileId", "variantKey", rendition, "startSegment", "nextSegment", "lastSegment", "requestedSegment", state,
                                     "workerId", host, "workerPid", "lastRequestAt", "heartbeatAt")
         VALUES ($1, $2, $3, 'k', '240p', 0, 0, 0, 0, 'running', $4, $5, $6, now(), now() - make_interval(secs => $7))`,
        [id, item.itemId, item.fileId, `${host}:${pid}`, host, pid, heartbeatAgoMs / 1000],
      );
    const staleElsewhere = randomUUID();
    const deadHere = randomUUID();
    const aliveElsewhere = randomUUID();
    const orphan = randomUUID();
    await insert(staleElsewhere, 60_000, 'another-host', 4242);
    await insert(deadHere, 0, hostname(), deadPid);
    // Its heartbeat stays fresh for the whole test, however slow the worker is to start.
    await insert(aliveElsewhere, -60_000, 'another-host', 4243);
    for (const id of [staleElsewhere, deadHere, aliveElsewhere, orphan]) {
      mkdirSync(join(storage.sessionsRoot, id), { recursive: true });
      writeFileSync(join(storage.sessionsRoot, id, '0.ts'), 'partial');
    }
    // An encoder the dead worker left behind, still writing into its folder.
    const marker = join(storage.sessionsRoot, deadHere, '%d.ts');
    const encoder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', marker], { stdio: 'ignore' });
    await waitFor(async () => (processRunning(marker) ? true : undefined), 'the stand-in encoder');

    worker = await startWorker(config);

    const states = Object.fromEntries(
      (
        await sql.query(`SELECT id, state FROM hls_transcodes WHERE id = ANY($1::uuid[])`, [[staleElsewhere, deadHere, aliveElsewhere]])
      ).rows.map((row) => [row.id, row.state]),
    );
    expect(states).toEqual({ [staleElsewhere]: 'lost', [deadHere]: 'lost', [aliveElsewhere]: 'running' });
    expect(readdirSync(storage.sessionsRoot)).toEqual([aliveElsewhere]);
    await waitFor(
      async () => (encoder.exitCode !== null || encoder.signalCode ? true : undefined),
      'the orphan encoder to be killed',
      5_000,
      50,
    );
    expect(encoder.signalCode).toBe('SIGKILL');
    await sql.query(`UPDATE hls_transcodes SET state = 'lost' WHERE id = $1`, [aliveElsewhere]);
  });

  it('the segment cache is evicted by age, then by size, least recently used first; nothing outside it is touched', async () => {
    // A data dir of its own: the scheduled eviction may fire at any moment on the shared one.
    const own = new HlsStorage({ dataDir: mkdtempSync(join(tmpdir(), 'marquee-hls-evict-')) } as AppConfig);
    const eviction = new SegmentCacheEviction(own);
    const now = Date.now();
    const file = (variant: string, name: string, bytes: number, usedDaysAgo: number) => {
      const dir = join(own.cacheRoot, randomUUID(), variant);
      mkdirSync(dir, { recursive: true });
      const path = join(dir, name);
      writeFileSync(path, Buffer.alloc(bytes));
      const at = new Date(now - usedDaysAgo * DAY_MS);
      utimesSync(path, at, at);
      return path;
    };
    const old = file('240p-a1-000000000000', '0.ts', 1000, 5);
    const lru = file('240p-a1-111111111111', '0.ts', 1000, 1);
    const mid = file('240p-a1-111111111111', '1.ts', 1000, 0.5);
    const fresh = file('360p-a1-222222222222', '0.ts', 1000, 0);
    const outside = join(mkdtempSync(join(tmpdir(), 'marquee-hls-outside-')), 'keep.ts');
    writeFileSync(outside, Buffer.alloc(5000));
    symlinkSync(outside, join(own.cacheRoot, 'link.ts'));

    const result = await eviction.evict({ maxBytes: 2000, maxAgeHours: 48 }, now);
    expect(result).toEqual({ removedFiles: 2, removedBytes: 2000, keptBytes: 2000 });
    expect([old, lru, mid, fresh].map((path) => existsSync(path))).toEqual([false, false, true, true]);
    expect(existsSync(outside)).toBe(true);
    // Folders left empty go.
    expect(readdirSync(own.cacheRoot).length).toBe(3);
  });

  it('the eviction runs as a scheduled library-maintenance task', async () => {
    const scheduler = await api.get(QueueService).queue('library-maintenance').getJobScheduler('evict-hls-cache');
    expect(scheduler?.every).toBe(15 * 60_000);
    const dir = join(storage.cacheRoot, randomUUID(), '240p-a1-333333333333');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '0.ts'), 'x');
    utimesSync(join(dir, '0.ts'), new Date(Date.now() - 3 * DAY_MS), new Date(Date.now() - 3 * DAY_MS));
    const { id } = await api.get(JobLedger).enqueue('library-maintenance', 'evict-hls-cache', {});
    const run = await waitFor(async () => {
      const { rows } = await sql.query(`SELECT state, result FROM job_runs WHERE id = $1`, [id]);
      return ['completed', 'failed'].includes(rows[0]?.state) ? rows[0] : undefined;
    }, 'the eviction job');
    expect(run.state).toBe('completed');
    expect(Object.keys(run.result).sort()).toEqual([
      'encodersKilled',
      'foldersRemoved',
      'keptBytes',
      'markedLost',
      'removedBytes',
      'removedFiles',
      'rowsDeleted',
    ]);
    // The schedule's own first run may have come first: between them, the old segment went.
    const { rows } = await sql.query(
      `SELECT sum((result->>'removedFiles')::int)::int AS removed FROM job_runs WHERE name = 'evict-hls-cache' AND state = 'completed'`,
    );
    expect(rows[0].removed).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(dir, '0.ts'))).toBe(false);
  });
});
