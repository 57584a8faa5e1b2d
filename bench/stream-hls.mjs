// bench/stream-hls: HLS time to first segment and time to a seeked segment (cold cache, through the real
// api, queue, worker and ffmpeg), side by side with plain ffmpeg encoding the same segment of the same
// source with the same settings, in the same run; the difference is Marquee's overhead (playlists,
// queueing, job pickup, publishing, the request's polling). PostgreSQL queue backend always, Redis too
// when REDIS_URL is set. Run: `npm run bench:stream` (SECONDS=60 WIDTH=1280 HEIGHT=720 REPEAT=3 to change).
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { benchDatabase } from './lib/bench-database.mjs';

const dist = (path) => new URL(`../dist/${path}`, import.meta.url).href;
const { loadConfig, configureHttpApp, resolveBinary } = await import(dist('libs/core/src/index.js'));
const { AppModule } = await import(dist('apps/api/app.module.js'));
const { WorkerModule } = await import(dist('apps/worker/worker.module.js'));
const { UsersService, SessionService, AccessTokenService } = await import(dist('libs/auth/src/index.js'));
const { Library, MediaFile, MediaItem, MediaStream } = await import(dist('libs/library/src/index.js'));
const { probeFile, runFfmpeg } = await import(dist('libs/media/src/index.js'));
const { HlsSourceService } = await import(dist('libs/streaming/src/hls/source/hls-source.service.js'));
const { transcodeCommand } = await import(dist('libs/streaming/src/hls/planning/transcode-args.js'));
const { NestFactory } = await import('@nestjs/core');
const { DataSource } = await import('typeorm');

const SECONDS = Number(process.env.SECONDS ?? 60);
const WIDTH = Number(process.env.WIDTH ?? 1280);
const HEIGHT = Number(process.env.HEIGHT ?? 720);
const REPEAT = Number(process.env.REPEAT ?? 3);

const ffmpeg = resolveBinary('ffmpeg', process.env.FFMPEG_PATH).path;
const ffprobe = resolveBinary('ffprobe', process.env.FFPROBE_PATH).path;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The source: a test pattern with a moving overlay and a tone, encoded once, as a film would be. */
function makeSource() {
  const path = join(mkdtempSync(join(tmpdir(), 'marquee-bench-hls-')), 'source.mkv');
  execFileSync(ffmpeg, [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${WIDTH}x${HEIGHT}:rate=25`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ...['-t', String(SECONDS), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2', path],
  ]);
  return path;
}

async function catalogue(app, path) {
  const dataSource = app.get(DataSource);
  const probe = await probeFile(ffprobe, path, { timeoutMs: 30_000 });
  const library = await dataSource.getRepository(Library).save({ name: 'bench', kind: 'movies', folders: [dirname(path)] });
  const item = await dataSource
    .getRepository(MediaItem)
    .save({ libraryId: library.id, type: 'movie', title: 'Bench', durationMs: probe.durationMs });
  const info = statSync(path);
  const file = await dataSource.getRepository(MediaFile).save({
    itemId: item.id,
    libraryId: library.id,
    path,
    folder: dirname(path),
    archiveEntry: '',
    category: 'video',
    size: info.size,
    mtime: info.mtime,
    container: probe.container,
    durationMs: probe.durationMs,
    bitrate: probe.bitrate,
    probedAt: new Date(),
  });
  await dataSource
    .getRepository(MediaStream)
    .save(probe.streams.map((s) => ({ ...s, index: undefined, fileId: file.id, streamIndex: s.index, type: s.type })));
  return item.id;
}

async function bearerFor(app) {
  const user = await app
    .get(UsersService)
    .create({ username: `bench-${Date.now()}`, password: `correct horse battery ${Date.now()}`, role: 'admin' });
  const { session } = await app.get(SessionService).create(user, { ip: '127.0.0.1', userAgent: 'bench' });
  return { Authorization: `Bearer ${app.get(AccessTokenService).sign(user, session.id)}` };
}

/** GET until it is not 503 (a player retries the same way); returns the status and the body's size. */
async function fetchBody(url, headers) {
  for (;;) {
    const response = await fetch(url, { headers });
    const body = Buffer.from(await response.arrayBuffer());
    if (response.status !== 503 && response.status !== 200)
      throw new Error(`${url} answered ${response.status}: ${body.toString().slice(0, 500)}`);
    if (response.status === 200) return { status: 200, bytes: body.length };
    await sleep(100);
  }
}

/** Nothing transcoding and nothing cached: every measurement starts cold. */
async function coldStart(base, headers, sql, dataDir) {
  await fetch(base, { method: 'DELETE', headers });
  for (let i = 0; i < 100; i++) {
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM hls_transcodes WHERE state IN ('queued', 'running')`);
    if (rows[0].n === 0) break;
    await sleep(100);
  }
  rmSync(join(dataDir, 'transcodes', 'cache'), { recursive: true, force: true });
}

async function plainFfmpeg(variant, startSegment) {
  const workDir = mkdtempSync(join(tmpdir(), 'marquee-bench-plain-'));
  const { args } = transcodeCommand({
    sourcePath: variant.source.file.path,
    videoStreamIndex: variant.videoStreamIndex,
    audioStreamIndex: variant.audioStreamIndex,
    rendition: variant.rendition,
    plan: variant.plan,
    startSegment,
    lastSegment: startSegment,
    workDir,
  });
  const started = performance.now();
  await runFfmpeg(ffmpeg, args, { timeoutMs: 120_000 });
  const ms = performance.now() - started;
  rmSync(workDir, { recursive: true, force: true });
  return ms;
}

async function measure(dbUrl, backend, source) {
  const dataDir = mkdtempSync(join(tmpdir(), 'marquee-bench-data-'));
  const config = loadConfig(
    {
      DATABASE_URL: dbUrl,
      ...(backend === 'redis' ? { REDIS_URL: process.env.REDIS_URL, MARQUEE_QUEUE_PREFIX: `bench-hls-${process.pid}` } : {}),
      MARQUEE_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      MARQUEE_MIN_FREE_DISK_MB: '1',
      MARQUEE_WATCH: 'false',
    },
    { requireDatabaseUrl: true },
  );
  const api = await NestFactory.create(AppModule.forRoot(config), { logger: false });
  configureHttpApp(api, config);
  await api.listen(0, '127.0.0.1');
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
  await worker.init();
  const sql = new pg.Client({ connectionString: dbUrl });
  await sql.connect();
  try {
    const itemId = await catalogue(api, source);
    const headers = await bearerFor(api);
    const { port } = api.getHttpServer().address();
    const base = `http://127.0.0.1:${port}/api/v1/stream/${itemId}/hls`;
    const sources = api.get(HlsSourceService);
    const ladder = sources.ladder(await sources.load(itemId));
    const top = ladder[0].name;
    const variant = sources.variant(await sources.load(itemId), top);
    const seekTo = variant.plan.durationsMs.length - 2;

    const results = { first: [], seek: [], plainFirst: [], plainSeek: [] };
    for (let round = 0; round < REPEAT; round++) {
      await coldStart(base, headers, sql, dataDir);
      let started = performance.now();
      await fetchBody(`${base}/master.m3u8`, headers);
      await fetchBody(`${base}/${top}/index.m3u8`, headers);
      const first = await fetchBody(`${base}/${top}/0.ts`, headers);
      if (first.status !== 200) throw new Error(`segment 0 answered ${first.status}`);
      results.first.push(performance.now() - started);

      await coldStart(base, headers, sql, dataDir);
      started = performance.now();
      const seek = await fetchBody(`${base}/${top}/${seekTo}.ts`, headers);
      if (seek.status !== 200) throw new Error(`segment ${seekTo} answered ${seek.status}`);
      results.seek.push(performance.now() - started);

      await coldStart(base, headers, sql, dataDir);
      results.plainFirst.push(await plainFfmpeg(variant, 0));
      results.plainSeek.push(await plainFfmpeg(variant, seekTo));
    }
    return {
      backend,
      top,
      seekTo,
      seekAt: (seekTo * variant.plan.segmentMs) / 1000,
      ...Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)])),
    };
  } finally {
    await sql.end();
    await worker.close();
    await api.close();
  }
}

const source = makeSource();
const rows = [];
for (const backend of process.env.REDIS_URL ? ['postgres', 'redis'] : ['postgres']) {
  const db = await benchDatabase();
  try {
    rows.push(await measure(db.url, backend, source));
  } finally {
    await db.drop();
  }
}

const ms = (value) => `${value.toFixed(0)} ms`;
const signed = (value) => `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`;
console.log(`\nHLS on a ${SECONDS} s ${WIDTH}x${HEIGHT} H.264 + AAC source, cold cache, median of ${REPEAT} (ffmpeg: ${ffmpeg})\n`);
console.log('| queue backend | request | HLS (request → whole segment) | plain ffmpeg, same segment | overhead |');
console.log('|---|---|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.backend} | first segment (${r.top}/0.ts, after master + media playlist) | ${ms(r.first)} | ${ms(r.plainFirst)} | ${signed(r.first - r.plainFirst)} |`,
  );
  console.log(
    `| ${r.backend} | seek (${r.top}/${r.seekTo}.ts, at ${r.seekAt} s) | ${ms(r.seek)} | ${ms(r.plainSeek)} | ${signed(r.seek - r.plainSeek)} |`,
  );
}
process.exit(0);
