import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import { projectRoot } from '../../libs/core/src/index.js';
import { QueueService } from '../../libs/jobs/src/index.js';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { makeVideo } from '../helpers/media-fixtures.js';
import { processesMentioning } from '../helpers/processes.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { availableQueueBackends, testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';
import { catalogue, type Catalogued, fetchSegment, nalTypes, raw } from './hls-helpers.js';

const workerScript = join(projectRoot(), 'dist', 'apps', 'worker', 'main.js');
const SECRET = 'hls-crash-shared-secret-of-plenty-length-0123456789';

/** A real worker process (the built one), killed with SIGKILL in the middle of a transcode. */
describe.each(availableQueueBackends())('HLS when the transcoding worker is killed (%s queue backend)', (backend) => {
  let db: ScratchDatabase;
  let api: NestExpressApplication;
  let sql: pg.Client;
  let user: TestAccount;
  let video: Catalogued;
  let dataDir: string;
  let queuePrefix: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createScratchDatabase();
    const config = testConfig({ queueBackend: backend, env: { DATABASE_URL: db.url, JWT_SECRET: SECRET } });
    dataDir = config.dataDir;
    queuePrefix = config.queuePrefix;
    api = await startApi(config);
    if (backend === 'redis') await api.get(QueueService).queue('hls-transcode').obliterate({ force: true });
    ({ user } = await seedAccounts(api));
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    const media = mkdtempSync(join(tmpdir(), 'marquee-hls-crash-'));
    await makeVideo(join(media, 'film.mkv'), { seconds: 12, width: 1280, height: 720 });
    video = await catalogue(api, join(media, 'film.mkv'), 'Film');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(
      children
        .filter((c) => c.exitCode === null && c.signalCode === null)
        .map((c) => new Promise((resolve) => c.once('exit', resolve).kill('SIGTERM'))),
    );
    await sql?.end();
    await api?.close();
    await db?.drop();
  });

  /** A worker process sharing the api's database, queues and data dir. */
  async function startWorkerProcess(): Promise<ChildProcess> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: db.url,
      JWT_SECRET: SECRET,
      MARQUEE_DATA_DIR: dataDir,
      MARQUEE_MIN_FREE_DISK_MB: '1',
      LOG_LEVEL: 'warn',
      MARQUEE_QUEUE_PREFIX: queuePrefix,
      ...(process.env.FFMPEG_PATH ? { FFMPEG_PATH: process.env.FFMPEG_PATH } : {}),
      ...(backend === 'redis' ? { REDIS_URL: process.env.TEST_REDIS_URL } : {}),
    };
    const child = spawn(process.execPath, [workerScript], { env, stdio: 'ignore' });
    children.push(child);
    await waitFor(
      async () => ((await sql.query('SELECT 1 FROM worker_heartbeats WHERE pid = $1', [child.pid])).rowCount ? true : undefined),
      `worker ${child.pid} to start`,
      60_000,
      200,
    );
    return child;
  }

  it('asking again after the worker died mid-transcode still yields the segment, made by another worker; the orphan encoder is reaped', async () => {
    const first = await startWorkerProcess();
    const path = `/api/v1/stream/${video.itemId}/hls/720p/2.ts`;
    const pending = raw(api, 'GET', path, bearer(user));
    const running = await waitFor(async () => {
      const { rows } = await sql.query(`SELECT id, "workerPid" FROM hls_transcodes WHERE "itemId" = $1 AND state = 'running'`, [
        video.itemId,
      ]);
      return rows[0];
    }, 'the transcode to run on the first worker');
    expect(running.workerPid).toBe(first.pid);
    const encoder = await waitFor(async () => processesMentioning(`sessions/${running.id}/`)[0], 'its encoder', 20_000, 20);
    // Freeze the encoder so the worker dies with the segment unfinished, however fast this machine is.
    process.kill(Number(encoder), 'SIGSTOP');
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    await pending;

    const second = await startWorkerProcess();
    const response = await fetchSegment(api, path, bearer(user), 90_000);
    expect(response.status).toBe(200);
    const file = join(mkdtempSync(join(tmpdir(), 'marquee-hls-crash-seg-')), '2.ts');
    writeFileSync(file, response.body);
    expect((await nalTypes(file)).find((type) => type === 1 || type === 5)).toBe(5);

    const { rows } = await sql.query(
      `SELECT id, state, "workerPid", "startSegment" FROM hls_transcodes WHERE "itemId" = $1 ORDER BY "createdAt"`,
      [video.itemId],
    );
    expect(rows[0]).toMatchObject({ id: running.id, state: 'lost' });
    expect(rows[rows.length - 1]).toMatchObject({ workerPid: second.pid, startSegment: 2 });
    // The second worker's start-up sweep killed the encoder the first one left.
    expect(processesMentioning(`sessions/${running.id}/`)).toEqual([]);
  }, 150_000);
});
