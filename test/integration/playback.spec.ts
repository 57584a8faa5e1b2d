import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { PlaybackInfo } from '@marquee/contracts';
import fc from 'fast-check';
import pg from 'pg';
import request from 'supertest';
import { ApiKeysService, StreamTokenService } from '../../libs/auth/src/index.js';
import { PLAYBACK_TOKEN_TTL_SECONDS } from '../../libs/streaming/src/playback/playback.service.js';
import { bearer, createAccount, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { ffmpegPath, makeFlac, makeImage, makeVideo } from '../helpers/media-fixtures.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { waitForScanAndJobs } from '../helpers/wait-for-scan.js';

/** supertest keeps binary bodies as Buffers with this parser. */
const binary = (res: request.Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

const SRT = '1\n00:00:00,200 --> 00:00:01,000\nA sidecar line\n';

/** A video with two audio tracks (English, the default, then French): streams 0 video, 1 and 2 audio. */
async function makeDualAudio(path: string): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true });
  await promisify(execFile)(ffmpegPath(), [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...['-t', '2', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=2'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=660:sample_rate=48000:duration=2'],
    ...['-map', '0:v', '-map', '1:a', '-map', '2:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-b:a', '64k', '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra'],
    ...['-disposition:a:0', 'default', '-disposition:a:1', '0', '-t', '2', '-f', 'matroska', path],
  ]);
}

describe('playback decision: GET /api/v1/items/:id/playback', () => {
  let db: ScratchDatabase;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let sql: pg.Client;
  let admin: TestAccount;
  let user: TestAccount;
  let media: string;
  const file: Record<string, string> = {};
  const id: Record<string, string> = {};

  const http = () => request(api.getHttpServer());
  const playback = (itemId: string, query = '', account: TestAccount = user) =>
    http().get(`/api/v1/items/${itemId}/playback${query}`).set(bearer(account));
  const info = async (itemId: string, query = '', account: TestAccount = user): Promise<PlaybackInfo> => {
    const res = await playback(itemId, query, account);
    expect({ status: res.status, body: res.status === 200 ? 'ok' : res.body }).toEqual({ status: 200, body: 'ok' });
    return res.body as PlaybackInfo;
  };
  /** A signed URL, fetched with no header at all, as a <video> element would. */
  const fetchSigned = (url: string, headers: Record<string, string> = {}) => http().get(url).set(headers).buffer(true).parse(binary);
  const itemOf = async (path: string) =>
    (await sql.query<{ itemId: string }>(`SELECT "itemId" FROM media_files WHERE path = $1`, [path])).rows[0].itemId;
  const tokenOf = (url: string) => new URL(url, 'http://x').searchParams.get('st')!;

  beforeAll(async () => {
    media = mkdtempSync(join(tmpdir(), 'marquee-playback-media-'));
    file.plain = join(media, 'movies', 'Plain (2020)', 'Plain (2020).mp4');
    file.boxed = join(media, 'movies', 'Boxed (2021)', 'Boxed (2021).mkv');
    file.dual = join(media, 'movies', 'Dual (2022)', 'Dual (2022).mkv');
    file.flac = join(media, 'music', 'The Band', 'Album', '01 - Hi.flac');
    file.image = join(media, 'images', 'Trip', 'a.jpg');
    await Promise.all([
      makeVideo(file.plain, { container: 'mp4', seconds: 2 }),
      makeVideo(file.boxed, { container: 'mkv', seconds: 2, subtitles: true }),
      makeDualAudio(file.dual),
      makeFlac(file.flac, { bits: 24, sampleRate: 96000, tags: { title: 'Hi', artist: 'The Band', album: 'Album', track: '1' } }),
      makeImage(file.image, { width: 320, height: 200 }),
    ]);
    writeFileSync(join(media, 'movies', 'Plain (2020)', 'Plain (2020).en.srt'), SRT);

    db = await createScratchDatabase();
    const config = testConfig({ env: { DATABASE_URL: db.url } });
    api = await startApi(config);
    worker = await startWorker(config);
    ({ admin, user } = await seedAccounts(api));
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    for (const kind of ['movies', 'music', 'images'] as const) {
      const since = new Date(Date.now() - 5);
      const res = await http()
        .post('/api/v1/libraries')
        .set(bearer(admin))
        .send({ name: `Playback ${kind}`, kind, folders: [join(media, kind)] });
      expect(res.status).toBe(201);
      await waitForScanAndJobs(sql, since);
    }
    for (const name of ['plain', 'boxed', 'dual', 'flac', 'image']) id[name] = await itemOf(file[name]);
  }, 300_000);

  afterAll(async () => {
    await sql?.end();
    await worker?.close();
    await api?.close();
    await db?.drop();
    if (media) rmSync(media, { recursive: true, force: true });
  });

  it('an H.264/AAC mp4 plays directly in a plain browser, with signed URLs that need no header', async () => {
    const before = Date.now();
    const body = await info(id.plain);
    expect(body.itemId).toBe(id.plain);
    expect(body.decision).toEqual({ method: 'direct', reasons: ['container mp4, video codec h264, audio codec aac supported'] });
    expect(body.directUrl).toMatch(new RegExp(`^/api/v1/stream/${id.plain}\\?st=[A-Za-z0-9_.-]+$`));
    expect(body.hlsUrl).toMatch(new RegExp(`^/api/v1/stream/${id.plain}/hls/master\\.m3u8\\?st=[A-Za-z0-9_.-]+$`));
    expect(body.durationMs).toBeGreaterThan(1800);
    expect(body.durationMs).toBeLessThan(2300);
    const expires = Date.parse(body.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + PLAYBACK_TOKEN_TTL_SECONDS * 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + PLAYBACK_TOKEN_TTL_SECONDS * 1000);

    // The token is the caller's, for this item only.
    const tokens = api.get(StreamTokenService);
    expect(tokens.verify(tokenOf(body.directUrl), id.plain)).toBe(user.id);
    expect(tokens.verify(tokenOf(body.directUrl), id.boxed)).toBeUndefined();

    const direct = await fetchSigned(body.directUrl, { Range: 'bytes=0-99' });
    expect(direct.status).toBe(206);
    expect(direct.headers['content-type']).toBe('video/mp4');
    expect((direct.body as Buffer).equals(readFileSync(file.plain).subarray(0, 100))).toBe(true);
    // The signature does not open another item.
    expect((await fetchSigned(body.directUrl.replace(id.plain, id.boxed))).status).toBe(401);
  });

  it('subtitle tracks and trickplay come with their signed URLs', async () => {
    const plain = await info(id.plain);
    expect(plain.subtitles).toHaveLength(1);
    const [sidecar] = plain.subtitles;
    expect(sidecar).toMatchObject({ external: true, language: 'en', path: `items/${id.plain}/subtitles/${sidecar.id}.vtt` });
    expect(sidecar.url).toBe(`/api/v1/${sidecar.path}?st=${encodeURIComponent(tokenOf(plain.directUrl))}`);
    const vtt = await fetchSigned(sidecar.url);
    expect(vtt.status).toBe(200);
    expect((vtt.body as Buffer).toString()).toMatch(/^WEBVTT/);
    expect((vtt.body as Buffer).toString()).toContain('A sidecar line');

    const boxed = await info(id.boxed);
    expect(boxed.subtitles.map((track) => ({ id: track.id, external: track.external, language: track.language }))).toEqual([
      { id: '2', external: false, language: 'en' },
    ]);
    expect((await fetchSigned(boxed.subtitles[0].url)).status).toBe(200);

    // The scan's pipeline made the sprite sheets.
    expect(plain.trickplay).not.toBeNull();
    expect(plain.trickplay).toMatchObject({ path: `items/${id.plain}/trickplay.vtt` });
    expect(plain.trickplay!.url).toBe(`/api/v1/items/${id.plain}/trickplay.vtt?st=${encodeURIComponent(tokenOf(plain.directUrl))}`);
    expect(plain.trickplay!.intervalMs).toBeGreaterThan(0);
    const thumbnails = await fetchSigned(plain.trickplay!.url);
    expect(thumbnails.status).toBe(200);
    expect((thumbnails.body as Buffer).toString()).toMatch(/^WEBVTT/);
  });

  it('what does not fit the declared capabilities goes to HLS, with the reasons', async () => {
    expect((await info(id.boxed)).decision).toEqual({ method: 'hls', reasons: ['container mkv not supported'] });
    expect((await info(id.boxed, '?containers=mkv,mp4')).decision.method).toBe('direct');
    expect((await info(id.boxed, '?containers=mkv&containers=mp4')).decision.method).toBe('direct');
    expect((await info(id.plain, '?videoCodecs=hevc,vp9')).decision).toEqual({
      method: 'hls',
      reasons: ['video codec h264 not supported'],
    });
    expect((await info(id.plain, '?videoCodecs=avc1&audioCodecs=mp4a')).decision.method).toBe('direct');
    expect((await info(id.plain, '?audioCodecs=opus')).decision).toEqual({ method: 'hls', reasons: ['audio codec aac not supported'] });
    expect((await info(id.plain, '?maxHeight=200')).decision).toEqual({
      method: 'hls',
      reasons: ['resolution 320x240 above the maximum height 200'],
    });
    expect((await info(id.plain, '?maxHeight=240')).decision.method).toBe('direct');
    const bitrate = (await info(id.plain, '?maxBitrate=1000')).decision;
    expect(bitrate.method).toBe('hls');
    expect(bitrate.reasons).toEqual([expect.stringMatching(/^bitrate \d+ above the maximum 1000$/)]);
    expect((await info(id.plain, '?maxBitrate=1000000000')).decision.method).toBe('direct');
    const tv = await info(id.boxed, '?containers=mp4&videoCodecs=hevc&audioCodecs=ac3&maxHeight=100');
    expect(tv.decision).toEqual({
      method: 'hls',
      reasons: [
        'container mkv not supported',
        'video codec h264 not supported',
        'resolution 320x240 above the maximum height 100',
        'audio codec aac not supported',
      ],
    });
  });

  it('an audio track other than the default plays through HLS with &audio=; the track is checked against the item', async () => {
    const plain = await info(id.dual, '?containers=mkv');
    expect(plain.decision.method).toBe('direct');
    expect(plain.hlsUrl).not.toContain('audio=');
    const english = await info(id.dual, '?containers=mkv&audioStreamIndex=1');
    expect(english.decision.method).toBe('direct');
    expect(english.hlsUrl).toMatch(new RegExp(`^/api/v1/stream/${id.dual}/hls/master\\.m3u8\\?st=[^&]+&audio=1$`));
    const french = await info(id.dual, '?containers=mkv&audioStreamIndex=2');
    expect(french.decision).toEqual({ method: 'hls', reasons: ["audio track 2 is not the file's default track"] });
    expect(french.hlsUrl).toMatch(/&audio=2$/);

    for (const [query, detail] of [
      ['?audioStreamIndex=0', `audioStreamIndex 0 is not an audio stream of item ${id.dual} (its audio streams: 1, 2)`],
      ['?audioStreamIndex=99', `audioStreamIndex 99 is not an audio stream of item ${id.dual} (its audio streams: 1, 2)`],
    ]) {
      const res = await playback(id.dual, query);
      expect(res.status).toBe(400);
      expect(res.body.detail).toBe(detail);
    }
  });

  it('music plays directly (full fidelity, with its audio headers); images have no HLS', async () => {
    const flac = await info(id.flac);
    expect(flac.decision).toEqual({ method: 'direct', reasons: ['container flac, audio codec flac supported'] });
    expect(flac.hlsUrl).toMatch(new RegExp(`^/api/v1/stream/${id.flac}/hls/master\\.m3u8\\?st=`));
    expect(flac.subtitles).toEqual([]);
    expect(flac.trickplay).toBeNull();
    const head = await http().head(flac.directUrl);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('audio/flac');
    expect(head.headers['x-audio-bit-depth']).toBe('24');
    expect(head.headers['x-audio-sample-rate']).toBe('96000');

    const image = await info(id.image, '?containers=mkv');
    expect(image.decision).toEqual({ method: 'direct', reasons: ['images are always played directly'] });
    expect(image.hlsUrl).toBeNull();
    const picture = await fetchSigned(image.directUrl);
    expect(picture.status).toBe(200);
    expect(picture.headers['content-type']).toBe('image/jpeg');
    expect((picture.body as Buffer).equals(readFileSync(file.image))).toBe(true);
  });

  it('refuses hostile or malformed capabilities and unknown parameters at the edge', async () => {
    for (const query of [
      '?containers=../../etc/passwd',
      '?containers=..%2F..%2Fetc',
      '?videoCodecs=h264;rm%20-rf',
      '?audioCodecs=%00',
      `?containers=${Array.from({ length: 33 }, (_, i) => `c${i}`).join(',')}`,
      '?maxHeight=-1',
      '?maxHeight=abc',
      '?maxBitrate=1.5',
      '?audioStreamIndex=..%5C1',
      '?part=0',
      '?path=/etc/passwd',
      '?st=whatever',
    ]) {
      const res = await playback(id.plain, query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
    // Any value of any parameter: 200 or a 4xx, and no request value ever reaches a URL it hands out.
    const hostile = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('..%2F..%2Fetc', '..%5C..%5Cwin', '../', '..\\', '%00', 'h264&st=x', 'mkv,../../x', '1e3', '-0', '0x10'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('containers', 'videoCodecs', 'audioCodecs', 'maxHeight', 'maxBitrate', 'audioStreamIndex', 'part'),
        hostile,
        async (key, value) => {
          const res = await playback(id.dual, `?${key}=${encodeURIComponent(value)}`);
          expect({ key, value, status: [200, 400, 404].includes(res.status) }).toEqual({ key, value, status: true });
          if (res.status !== 200) return;
          const body = res.body as PlaybackInfo;
          const urls = [body.directUrl, body.hlsUrl!, ...body.subtitles.map((track) => track.url)];
          for (const url of urls) expect(url).toMatch(new RegExp(`^/api/v1/(stream|items)/${id.dual}[/?][A-Za-z0-9/._?=&%-]*$`));
          expect(body.hlsUrl).toMatch(/(\?st=[^&]+)(&audio=[12])?$/);
        },
      ),
      { numRuns: 80 },
    );

    const part = await playback(id.plain, '?part=2');
    expect(part.status).toBe(404);
    expect(part.body.detail).toBe(`Item ${id.plain} has 1 part(s); there is no part 2`);
  });

  it('any signed-in user may play any item; the URLs are signed for the caller', async () => {
    const other = await createAccount(api, 'user', 'other');
    const body = await info(id.boxed, '', other);
    expect(api.get(StreamTokenService).verify(tokenOf(body.directUrl), id.boxed)).toBe(other.id);
    const { key } = await api.get(ApiKeysService).create({ id: user.id, role: 'user' }, { name: 'tv', scopes: ['read'] });
    expect((await http().get(`/api/v1/items/${id.plain}/playback`).set('X-Api-Key', key)).status).toBe(200);

    expect((await http().get(`/api/v1/items/${id.plain}/playback`)).status).toBe(401);
    // A stream token opens streams, not the playback route.
    expect((await http().get(`/api/v1/items/${id.plain}/playback?st=${encodeURIComponent(tokenOf(body.directUrl))}`)).status).toBe(401);
  });

  it('items that cannot be played answer 404, a malformed id 400', async () => {
    const unknown = randomUUID();
    expect((await playback(unknown)).body.detail).toBe(`Item ${unknown} not found`);
    const { rows } = await sql.query<{ id: string }>(`SELECT "parentId" AS id FROM media_items WHERE id = $1`, [id.flac]);
    const album = await playback(rows[0].id);
    expect(album.status).toBe(404);
    expect(album.body.detail).toBe(`Item ${rows[0].id} has no file to play (it holds other items)`);
    await sql.query(`UPDATE media_items SET "missingSince" = now() WHERE id = $1`, [id.dual]);
    try {
      const missing = await playback(id.dual);
      expect(missing.status).toBe(404);
      expect(missing.body.detail).toMatch(new RegExp(`^Item ${id.dual} is missing from its library since `));
    } finally {
      await sql.query(`UPDATE media_items SET "missingSince" = NULL WHERE id = $1`, [id.dual]);
    }
    expect((await playback('..%2F..%2Fetc%2Fpasswd')).status).toBe(400);
  });
});
