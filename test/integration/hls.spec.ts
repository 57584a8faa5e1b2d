import { linkSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import HLS from 'hls-parser';
import pg from 'pg';
import request from 'supertest';
import { StreamTokenService } from '../../libs/auth/src/index.js';
import type { AppConfig } from '../../libs/core/src/index.js';
import { HlsStorage } from '../../libs/streaming/src/hls/storage/hls-storage.js';
import { processesMentioning } from '../helpers/processes.js';
import { bearer, createAccount, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { generate, makeVideo } from '../helpers/media-fixtures.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { availableQueueBackends, testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';
import { catalogue, type Catalogued, fetchSegment, maxVolume, nalTypes, probeUrl, raw, segmentFacts } from './hls-helpers.js';

HLS.setOptions({ strictMode: true });
type Master = InstanceType<typeof HLS.types.MasterPlaylist>;
type Media = InstanceType<typeof HLS.types.MediaPlaylist>;

const SEGMENT = 4;
/** One frame at 25 fps: how far a segment's first picture may sit from its nominal start. */
const FRAME = 0.04;

/** Made once for every queue backend's run. */
let generated: string;
beforeAll(async () => {
  generated = mkdtempSync(join(tmpdir(), 'marquee-hls-media-'));
  await makeVideo(join(generated, 'clip.mkv'), { seconds: 12, width: 640, height: 360 });
  await makeVideo(join(generated, 'big.mkv'), { seconds: 12, width: 1280, height: 720 });
  await makeVideo(join(generated, 'long.mkv'), { seconds: 120, width: 160, height: 120, audio: false });
  await generate([
    ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=mono'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=880:sample_rate=44100', '-t', '6'],
    ...['-map', '0:v', '-map', '1:a', '-map', '2:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-b:a', '64k', '-disposition:a:0', 'default', '-disposition:a:1', '0', join(generated, 'dual.mkv')],
  ]);
}, 120_000);

/** HLS transcoded on demand, through the real api, queue, worker and ffmpeg, on generated videos. */
describe.each(availableQueueBackends())('HLS (%s queue backend)', (backend) => {
  let config: AppConfig;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let sql: pg.Client;
  let admin: TestAccount;
  let user: TestAccount;
  let storage: HlsStorage;
  /** 12 s, 640x360, H.264 + AAC. */
  let clip: Catalogued;
  /** 6 s, 320x240, a silent audio track (stream 1) and a tone (stream 2). */
  let dual: Catalogued;
  /** 12 s, 1280x720: long enough to catch its transcode running. */
  let big: Catalogued;
  /** 120 s, 160x120, no sound: 30 segments, quick to make. */
  let long: Catalogued;

  const base = (item: Catalogued) => `/api/v1/stream/${item.itemId}/hls`;
  const post = (path: string, account: TestAccount) => request(api.getHttpServer()).post(path).set(bearer(account)).send({});
  const get = (path: string, account: TestAccount | null = user) => raw(api, 'GET', path, account ? bearer(account) : {});
  const segment = (path: string, account: TestAccount = user) => fetchSegment(api, path, bearer(account));
  const transcodes = async (itemId: string) =>
    (
      await sql.query(
        `SELECT id, rendition, state, "startSegment", "nextSegment", "lastSegment", "jobId", viewers, "variantKey", error
           FROM hls_transcodes WHERE "itemId" = $1 ORDER BY "createdAt"`,
        [itemId],
      )
    ).rows;
  const cached = (variantKey: string) => readdirSync(join(storage.cacheRoot, variantKey)).sort();
  /** The segment as a file, fetched through HTTP, for ffprobe. */
  async function segmentFile(path: string, account: TestAccount = user): Promise<string> {
    const response = await segment(path, account);
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${response.body.toString().slice(0, 300)}`);
    expect(response.headers['content-type']).toBe('video/mp2t');
    const file = join(mkdtempSync(join(tmpdir(), 'marquee-hls-seg-')), 'segment.ts');
    writeFileSync(file, response.body);
    return file;
  }
  /** Waits for the ffmpeg of a transcode to be running and returns its pid. */
  const encoderOf = (transcodeId: string) =>
    waitFor(async () => processesMentioning(`sessions/${transcodeId}/`)[0], `the encoder of ${transcodeId}`, 20_000, 20);

  beforeAll(async () => {
    config = testConfig({ queueBackend: backend });
    api = await startApi(config);
    worker = await startWorker(config);
    ({ admin, user } = await seedAccounts(api));
    storage = api.get(HlsStorage);
    sql = new pg.Client({ connectionString: config.databaseUrl });
    await sql.connect();
    // The generated files, under paths of this run's own (the catalogue wants each path once).
    const media = mkdtempSync(join(tmpdir(), 'marquee-hls-media-'));
    for (const name of ['clip.mkv', 'big.mkv', 'dual.mkv', 'long.mkv']) linkSync(join(generated, name), join(media, name));
    clip = await catalogue(api, join(media, 'clip.mkv'), 'Clip');
    dual = await catalogue(api, join(media, 'dual.mkv'), 'Dual');
    big = await catalogue(api, join(media, 'big.mkv'), 'Big');
    long = await catalogue(api, join(media, 'long.mkv'), 'Long');
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await worker?.close();
    await api?.close();
  });

  describe('playlists', () => {
    it('the master lists a ladder that never upscales, with peak BANDWIDTH, RESOLUTION, CODECS and FRAME-RATE', async () => {
      const response = await get(`${base(clip)}/master.m3u8`);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/vnd\.apple\.mpegurl/);
      const master = HLS.parse(response.body.toString()) as Master;
      expect(master.variants.map((v) => v.uri)).toEqual(['360p/index.m3u8', '240p/index.m3u8', 'audio/index.m3u8']);
      expect(master.variants.map((v) => v.resolution)).toEqual([{ width: 640, height: 360 }, { width: 426, height: 240 }, undefined]);
      expect(master.variants.map((v) => v.codecs)).toEqual(['avc1.64001e,mp4a.40.2', 'avc1.64001e,mp4a.40.2', 'mp4a.40.2']);
      expect(master.variants.map((v) => v.frameRate)).toEqual([25, 25, undefined]);
      const bandwidths = master.variants.map((v) => v.bandwidth);
      expect([...bandwidths].sort((a, b) => b - a)).toEqual(bandwidths);

      // 320x240 is smaller than every rendition: one at its own size, never enlarged.
      const small = HLS.parse((await get(`${base(dual)}/master.m3u8`)).body.toString()) as Master;
      expect(small.variants.map((v) => [v.uri, v.resolution])).toEqual([
        ['240p/index.m3u8', { width: 320, height: 240 }],
        ['audio/index.m3u8', undefined],
      ]);
    });

    it('each variant playlist is a complete VOD playlist from the probed duration, identical on every fetch, before any transcode', async () => {
      for (const rendition of ['360p', '240p', 'audio']) {
        const first = await get(`${base(clip)}/${rendition}/index.m3u8`);
        const second = await get(`${base(clip)}/${rendition}/index.m3u8`);
        expect(first.status).toBe(200);
        expect(second.body.toString()).toBe(first.body.toString());
        const playlist = HLS.parse(first.body.toString()) as Media;
        expect(playlist.playlistType).toBe('VOD');
        expect(playlist.endlist).toBe(true);
        expect(playlist.mediaSequenceBase).toBe(0);
        expect(playlist.version).toBe(3);
        expect(playlist.segments.map((s) => s.uri)).toEqual(['0.ts', '1.ts', '2.ts']);
        expect(playlist.segments.every((s) => Math.round(s.duration) <= playlist.targetDuration)).toBe(true);
        const total = playlist.segments.reduce((sum, s) => sum + s.duration, 0);
        expect(Math.abs(total * 1000 - clip.durationMs)).toBeLessThanOrEqual(1);
      }
      // Computing them ran nothing.
      expect(await transcodes(clip.itemId)).toEqual([]);
    });

    it('unknown items, renditions the source does not have, and unprobed items are clear 4xx', async () => {
      expect((await get(`/api/v1/stream/00000000-0000-4000-8000-000000000000/hls/master.m3u8`)).status).toBe(404);
      const missing = await get(`${base(clip)}/720p/index.m3u8`);
      expect(missing.status).toBe(404);
      expect(JSON.parse(missing.body.toString()).detail).toBe('This item has no 720p rendition; it has: 360p, 240p, audio');
      expect((await get(`${base(clip)}/4k/index.m3u8`)).status).toBe(404);
      expect((await get(`/api/v1/stream/not-a-uuid/hls/master.m3u8`)).status).toBe(400);
    });
  });

  describe('segments', () => {
    it('are served as the transcode finishes them: each starts with an IDR frame, timestamps run on across segments, H.264 High + AAC stereo', async () => {
      const started = Date.now();
      const first = await segmentFile(`${base(clip)}/360p/0.ts`);
      expect(Date.now() - started).toBeLessThan(10_000);
      const files = [first, await segmentFile(`${base(clip)}/360p/1.ts`), await segmentFile(`${base(clip)}/360p/2.ts`)];
      const facts = await Promise.all(files.map((file) => segmentFacts(file)));
      for (const [index, file] of files.entries()) {
        const types = (await nalTypes(file)).filter((type) => type === 1 || type === 5);
        expect(types[0]).toBe(5);
        const video = facts[index].streams.find((s) => s.codec_type === 'video')!;
        const audio = facts[index].streams.find((s) => s.codec_type === 'audio')!;
        expect(video).toMatchObject({ codec_name: 'h264', profile: 'High', level: 30, width: 640, height: 360 });
        expect(audio).toMatchObject({ codec_name: 'aac', channels: 2, sample_rate: '48000' });
        // Continuous: segment n starts n × 4 s after segment 0, to the frame.
        expect(Math.abs(facts[index].videoStart! - facts[0].videoStart! - index * SEGMENT)).toBeLessThan(FRAME / 2);
        if (index > 0) expect(facts[index].videoStart! - facts[index - 1].videoEnd!).toBeCloseTo(FRAME, 3);
      }
      // One transcode made them all, from segment 0.
      const rows = (await transcodes(clip.itemId)).filter((t) => t.rendition === '360p');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ startSegment: 0, lastSegment: 2 });
      await waitFor(
        async () => ((await transcodes(clip.itemId)).find((t) => t.id === rows[0].id)?.state === 'finished' ? true : undefined),
        'the transcode to finish',
      );
      expect(cached(rows[0].variantKey)).toEqual(['0.ts', '1.ts', '2.ts']);
      // Its work folder is gone; the segments stay in the cache.
      expect(readdirSync(storage.sessionsRoot)).not.toContain(rows[0].id);
      const job = (await sql.query(`SELECT queue, state, priority FROM job_runs WHERE id = $1`, [rows[0].jobId])).rows[0];
      expect(job).toEqual({ queue: 'hls-transcode', state: 'completed', priority: 1 });
    });

    it('a seek near the end is served without transcoding the beginning, and its timestamps match a run from the start', async () => {
      const last = await segmentFile(`${base(clip)}/240p/2.ts`);
      let rows = (await transcodes(clip.itemId)).filter((t) => t.rendition === '240p');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ startSegment: 2 });
      await waitFor(
        async () => ((await transcodes(clip.itemId)).find((t) => t.id === rows[0].id)?.state === 'finished' ? true : undefined),
        'the seek transcode to finish',
      );
      expect(cached(rows[0].variantKey)).toEqual(['2.ts']);

      // Going back to the start is behind that transcode: a second one starts at 0.
      const files = [await segmentFile(`${base(clip)}/240p/0.ts`), await segmentFile(`${base(clip)}/240p/1.ts`), last];
      rows = (await transcodes(clip.itemId)).filter((t) => t.rendition === '240p');
      expect(rows.map((t) => t.startSegment)).toEqual([2, 0]);
      const facts = await Promise.all(files.map((file) => segmentFacts(file)));
      // Segment 2 (made by the seek) continues segment 1 (made by the run from 0) to the frame.
      expect(Math.abs(facts[2].videoStart! - facts[0].videoStart! - 2 * SEGMENT)).toBeLessThan(FRAME / 2);
      expect(facts[2].videoStart! - facts[1].videoEnd!).toBeCloseTo(FRAME, 3);
      expect((await nalTypes(last)).find((type) => type === 1 || type === 5)).toBe(5);
    });

    it('concurrent viewers of one rendition share one transcode', async () => {
      const other = await createAccount(api, 'user', 'viewer');
      const [a, b] = await Promise.all([segment(`${base(clip)}/audio/0.ts`, user), segment(`${base(clip)}/audio/0.ts`, other)]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(a.body.equals(b.body)).toBe(true);
      const rows = (await transcodes(clip.itemId)).filter((t) => t.rendition === 'audio');
      expect(rows).toHaveLength(1);
      expect(Object.keys(rows[0].viewers).sort()).toEqual([user.id, other.id].sort());
      const facts = await segmentFacts(join(storage.cacheRoot, rows[0].variantKey, '0.ts'));
      expect(facts.streams.map((s) => s.codec_type)).toEqual(['audio']);
    });

    it('no segment is ever bigger than its variant’s BANDWIDTH allows, even on noise', async () => {
      const media = mkdtempSync(join(tmpdir(), 'marquee-hls-noise-'));
      await generate([
        ...['-f', 'lavfi', '-i', 'nullsrc=size=320x240:rate=25,geq=random(1)*255:128:128', '-f', 'lavfi', '-i', 'anoisesrc=r=48000:a=0.5'],
        ...[
          '-t',
          '8',
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-crf',
          '10',
          '-pix_fmt',
          'yuv420p',
          '-c:a',
          'aac',
          '-b:a',
          '192k',
          join(media, 'noise.mkv'),
        ],
      ]);
      const noise = await catalogue(api, join(media, 'noise.mkv'), 'Noise');
      const master = HLS.parse((await get(`${base(noise)}/master.m3u8`)).body.toString()) as Master;
      for (const variant of master.variants) {
        const playlist = HLS.parse((await get(`${base(noise)}/${variant.uri}`)).body.toString()) as Media;
        for (const [index, entry] of playlist.segments.entries()) {
          const response = await segment(`${base(noise)}/${variant.uri.split('/')[0]}/${index}.ts`);
          expect(response.status).toBe(200);
          expect((response.body.length * 8) / entry.duration).toBeLessThanOrEqual(variant.bandwidth);
        }
      }
    });

    it('the chosen source audio track is honoured; anything but one of the item’s audio streams is refused', async () => {
      const loud = await segmentFile(`${base(dual)}/audio/0.ts?audio=2`);
      const quiet = await segmentFile(`${base(dual)}/240p/0.ts?audio=1`);
      const byDefault = await segmentFile(`${base(dual)}/audio/0.ts`);
      expect(await maxVolume(loud)).toBeGreaterThan(-40);
      expect(await maxVolume(quiet)).toBeLessThan(-80);
      expect(await maxVolume(byDefault)).toBeLessThan(-80);
      expect((await segmentFacts(loud)).streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac', channels: 2 });
      const master = (await get(`${base(dual)}/master.m3u8?audio=2`)).body.toString();
      expect(master).toContain('240p/index.m3u8?audio=2\n');
      for (const bad of ['0', '7', '-1', '01', 'x']) {
        const response = await get(`${base(dual)}/master.m3u8?audio=${bad}`);
        expect(response.status).toBe(400);
      }
      expect((await get(`${base(dual)}/240p/0.ts?audio=0`)).status).toBe(400);
    });

    it('ffprobe reads the master playlist URL end to end with a signed token and no headers', async () => {
      const token = api.get(StreamTokenService).sign(user.id, clip.itemId, 600);
      const { port } = api.getHttpServer().address() as { port: number };
      const probe = await probeUrl(`http://127.0.0.1:${port}${base(clip)}/master.m3u8?st=${token}`);
      expect(probe.format.format_name).toMatch(/^hls\b/);
      expect(Math.abs(Number(probe.format.duration) - clip.durationMs / 1000)).toBeLessThan(0.5);
      expect(probe.streams.some((s) => s.codec_type === 'video' && s.codec_name === 'h264')).toBe(true);
      expect(probe.streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac' && s.channels === 2)).toBe(true);
    });

    it('a transcode that fails is reported as such, not waited for forever', async () => {
      const media = mkdtempSync(join(tmpdir(), 'marquee-hls-broken-'));
      await makeVideo(join(media, 'broken.mkv'), { seconds: 2 });
      const broken = await catalogue(api, join(media, 'broken.mkv'), 'Broken');
      writeFileSync(join(media, 'broken.mkv'), 'not a video any more');
      const response = await segment(`${base(broken)}/240p/0.ts`);
      expect(response.status).toBe(502);
      expect(JSON.parse(response.body.toString()).detail).toMatch(/^Transcoding this segment failed: ffmpeg exited/);
      expect((await transcodes(broken.itemId))[0]).toMatchObject({ state: 'failed' });
    });
  });

  describe('leases and the stop call', () => {
    /** Runs `check` with the transcode's encoder frozen mid-way (so "at once" does not depend on this machine's speed); thaws it after. */
    async function whileFrozen(transcodeId: string, check: () => Promise<void>): Promise<void> {
      const pid = Number(await encoderOf(transcodeId));
      process.kill(pid, 'SIGSTOP');
      try {
        await check();
      } finally {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // Killed already, as it should be in most of these tests.
        }
      }
    }
    const running = (itemId: string, rendition: string) =>
      waitFor(
        async () => (await transcodes(itemId)).find((t) => t.rendition === rendition && t.state === 'running'),
        `the ${rendition} transcode to run`,
      );
    const gone = async (transcodeId: string) => {
      await waitFor(
        async () => (processesMentioning(`sessions/${transcodeId}/`).length === 0 ? true : undefined),
        'ffmpeg to be killed',
        3_000,
        50,
      );
      await waitFor(
        async () => (!readdirSync(storage.sessionsRoot).includes(transcodeId) ? true : undefined),
        'the work folder to go',
        3_000,
        50,
      );
    };

    it('DELETE stream/:itemId/hls ends the caller’s transcode at once: ffmpeg killed, work files gone', async () => {
      // One request, not retried as a player would: after the stop call nobody asks again.
      const request = raw(api, 'GET', `${base(big)}/720p/2.ts`, bearer(user));
      const row = await running(big.itemId, '720p');
      await whileFrozen(row.id, async () => {
        const stopped = await raw(api, 'DELETE', base(big), bearer(user));
        expect(stopped.status).toBe(200);
        expect(JSON.parse(stopped.body.toString())).toEqual({ stopped: 1, left: 0 });
        await gone(row.id);
      });
      expect((await transcodes(big.itemId)).find((t) => t.id === row.id)).toMatchObject({ state: 'stopped' });
      const job = await waitFor(async () => {
        const { rows } = await sql.query(`SELECT state, result FROM job_runs WHERE id = $1`, [row.jobId]);
        return rows[0]?.state === 'completed' ? rows[0] : undefined;
      }, 'the job to end');
      expect(job.result).toMatchObject({ ended: 'stop' });
      expect((await request).status).toBe(503);
    });

    it('the stop call leaves a transcode another viewer still uses running', async () => {
      const other = await createAccount(api, 'user', 'friend');
      const mine = raw(api, 'GET', `${base(big)}/480p/0.ts`, bearer(user));
      const row = await running(big.itemId, '480p');
      let theirs: Promise<unknown> | undefined;
      await whileFrozen(row.id, async () => {
        theirs = segment(`${base(big)}/480p/0.ts`, other);
        const viewers = async () => Object.keys((await transcodes(big.itemId)).find((t) => t.id === row.id).viewers).sort();
        await waitFor(async () => ((await viewers()).length === 2 ? true : undefined), 'the second viewer');
        // The caller's own request has given up (503) before the caller stops watching.
        expect((await mine).status).toBe(503);
        const stop = await raw(api, 'DELETE', base(big), bearer(user));
        expect(JSON.parse(stop.body.toString())).toEqual({ stopped: 0, left: 1 });
        expect((await transcodes(big.itemId)).find((t) => t.id === row.id).state).toBe('running');
        expect(await viewers()).toEqual([other.id]);
      });
      expect(((await theirs) as { status: number }).status).toBe(200);
    });

    it('cancelling its job from the dashboard kills ffmpeg too', async () => {
      const viewer = new AbortController();
      const pending = raw(api, 'GET', `${base(big)}/720p/0.ts`, bearer(user), viewer.signal).catch(() => undefined);
      const row = await running(big.itemId, '720p');
      await whileFrozen(row.id, async () => {
        // The viewer goes away too, so no request of theirs starts the transcode again.
        viewer.abort();
        await pending;
        const cancel = await post(`/api/v1/jobs/${row.jobId}/cancel`, admin);
        expect(cancel.status).toBeLessThan(300);
        await gone(row.id);
      });
      await waitFor(
        async () => ((await transcodes(big.itemId)).find((t) => t.id === row.id).state === 'cancelled' ? true : undefined),
        'the transcode to end as cancelled',
      );
      const job = await waitFor(async () => {
        const { rows } = await sql.query(`SELECT state FROM job_runs WHERE id = $1`, [row.jobId]);
        return rows[0]?.state === 'cancelled' ? rows[0] : undefined;
      }, 'the job to be cancelled');
      expect(job.state).toBe('cancelled');
      // Nothing started it again.
      expect((await transcodes(big.itemId)).filter((t) => t.rendition === '720p' && ['queued', 'running'].includes(t.state))).toEqual([]);
    });

    it('a transcode ends once it is a minute ahead of its viewers, freeing the worker; asking further starts another', async () => {
      expect((await segment(`${base(long)}/240p/0.ts`)).status).toBe(200);
      const [first] = await transcodes(long.itemId);
      const ended = await waitFor(
        async () => {
          const row = (await transcodes(long.itemId)).find((t) => t.id === first.id);
          return ['queued', 'running'].includes(row.state) ? undefined : row;
        },
        'the transcode to end',
        60_000,
      );
      expect(ended.state).toBe('ahead');
      const made = cached(first.variantKey).length;
      // 15 segments past the one asked for, and a few more ffmpeg had finished before it was stopped.
      expect(made).toBeGreaterThanOrEqual(16);
      expect(made).toBeLessThan(30);
      expect(cached(first.variantKey)).not.toContain('29.ts');
      expect((await segment(`${base(long)}/240p/29.ts`)).status).toBe(200);
      expect((await transcodes(long.itemId)).map((t) => t.startSegment)).toEqual([0, 29]);
    });

    it('a transcode nobody asks segments from stops after its idle lease, and its work files go', async () => {
      const request = raw(api, 'GET', `${base(big)}/360p/1.ts`, bearer(user));
      const row = await running(big.itemId, '360p');
      await whileFrozen(row.id, async () => {
        const response = await request;
        expect(response.status).toBe(503);
        expect(response.headers['retry-after']).toBe('1');
        // Nobody has asked since (as if the whole lease had run out).
        await sql.query(`UPDATE hls_transcodes SET "lastRequestAt" = now() - interval '1 hour' WHERE id = $1`, [row.id]);
        await waitFor(
          async () => ((await transcodes(big.itemId)).find((t) => t.id === row.id).state === 'idle' ? true : undefined),
          'the idle stop',
          5_000,
          50,
        );
        await gone(row.id);
      });
    });
  });

  describe('access', () => {
    it('every HLS route takes Bearer, a stream-scoped API key or the item’s signed token, and nothing else', async () => {
      const paths = [`${base(dual)}/master.m3u8`, `${base(dual)}/240p/index.m3u8`, `${base(dual)}/240p/0.ts`];
      const token = api.get(StreamTokenService).sign(user.id, dual.itemId, 600);
      const otherItemToken = api.get(StreamTokenService).sign(user.id, clip.itemId, 600);
      const expired = api.get(StreamTokenService).sign(user.id, dual.itemId, 60, Date.now() - 3_600_000);
      const makeKey = async (scopes: string[]) =>
        (
          await request(api.getHttpServer())
            .post('/api/v1/api-keys')
            .set(bearer(user))
            .send({ name: `hls ${scopes}`, scopes })
        ).body.key as string;
      const streamKey = await makeKey(['stream']);
      const readKey = await makeKey(['read']);
      for (const path of paths) {
        expect((await raw(api, 'GET', path)).status).toBe(401);
        expect((await raw(api, 'GET', path, { Authorization: 'Bearer junk' })).status).toBe(401);
        expect((await raw(api, 'GET', `${path}?st=${otherItemToken}`)).status).toBe(401);
        expect((await raw(api, 'GET', `${path}?st=${expired}`)).status).toBe(401);
        expect((await raw(api, 'GET', path, { 'X-Api-Key': readKey })).status).toBe(403);
        expect((await fetchSegment(api, path, { 'X-Api-Key': streamKey })).status).toBe(200);
        expect((await fetchSegment(api, `${path}?st=${token}`)).status).toBe(200);
      }
      expect((await raw(api, 'DELETE', base(dual))).status).toBe(401);
      expect((await raw(api, 'DELETE', base(dual), { 'X-Api-Key': readKey })).status).toBe(403);
      expect((await raw(api, 'DELETE', `${base(dual)}?st=${token}`)).status).toBe(200);
    });

    it('playlists fetched with ?st= carry the same token into every URI, so a player needs no headers', async () => {
      const token = api.get(StreamTokenService).sign(user.id, dual.itemId, 600);
      const master = HLS.parse((await raw(api, 'GET', `${base(dual)}/master.m3u8?audio=2&st=${token}`)).body.toString()) as Master;
      expect(master.variants.map((v) => v.uri)).toEqual([`240p/index.m3u8?audio=2&st=${token}`, `audio/index.m3u8?audio=2&st=${token}`]);
      const media = await raw(api, 'GET', `${base(dual)}/${master.variants[0].uri}`);
      expect(media.status).toBe(200);
      const playlist = HLS.parse(media.body.toString()) as Media;
      expect(playlist.segments.map((s) => s.uri)).toEqual([`0.ts?audio=2&st=${token}`, `1.ts?audio=2&st=${token}`]);
      expect((await fetchSegment(api, `${base(dual)}/240p/${playlist.segments[1].uri}`)).status).toBe(200);
      // With a Bearer header there is no token to carry.
      expect((await get(`${base(dual)}/master.m3u8`, admin)).body.toString()).not.toContain('st=');
    });
  });
});
