import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PROBLEM_CONTENT_TYPE } from '@marquee/contracts';
import pg from 'pg';
import sharp from 'sharp';
import request from 'supertest';
import { ApiKeysService, StreamTokenService } from '../../libs/auth/src/index.js';
import type { AppConfig } from '../../libs/core/src/index.js';
import { JobLedger, QueueService } from '../../libs/jobs/src/index.js';
import { TrickplayService } from '../../libs/streaming/src/index.js';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { makeCorrupt, makeFlac, makeVideo } from '../helpers/media-fixtures.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';
import { waitForScanAndJobs } from '../helpers/wait-for-scan.js';

interface ThumbnailCue {
  startMs: number;
  endMs: number;
  url: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

const TIMESTAMP = String.raw`(\d{2,}):(\d{2}):(\d{2})\.(\d{3})`;
const CUE = new RegExp(String.raw`^${TIMESTAMP} --> ${TIMESTAMP}\n([^#\s]+)#xywh=(\d+),(\d+),(\d+),(\d+)$`);
const toMs = (h: string, m: string, s: string, f: string) => Number(h) * 3_600_000 + Number(m) * 60_000 + Number(s) * 1000 + Number(f);

function parseThumbnails(body: string): ThumbnailCue[] {
  expect(body.startsWith('WEBVTT\n\n')).toBe(true);
  return body
    .slice('WEBVTT\n\n'.length)
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const match = CUE.exec(block);
      if (!match) throw new Error(`not a thumbnail cue: ${JSON.stringify(block)}`);
      return {
        startMs: toMs(match[1], match[2], match[3], match[4]),
        endMs: toMs(match[5], match[6], match[7], match[8]),
        url: match[9],
        x: Number(match[10]),
        y: Number(match[11]),
        w: Number(match[12]),
        h: Number(match[13]),
      };
    });
}

/** supertest keeps binary bodies as Buffers with this parser. */
const binary = (res: request.Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('trickplay', () => {
  let db: ScratchDatabase;
  let config: AppConfig;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let sql: pg.Client;
  let admin: TestAccount;
  let user: TestAccount;
  let media: string;
  const ids: Record<'film' | 'tall' | 'broken' | 'song' | 'parts', string> = { film: '', tall: '', broken: '', song: '', parts: '' };

  const http = () => request(api.getHttpServer());
  const trackUrl = (itemId: string) => `/api/v1/items/${itemId}/trickplay.vtt`;
  /** An image URL of the track, resolved against the track's own URL as a player does. */
  const resolveAgainstTrack = (itemId: string, url: string) => {
    const resolved = new URL(url, `http://host${trackUrl(itemId)}`);
    return `${resolved.pathname}${resolved.search}`;
  };
  const fetchImage = (url: string, headers: Record<string, string> = {}) => http().get(url).set(headers).buffer(true).parse(binary);
  const itemOf = async (fileName: string) =>
    (await sql.query<{ itemId: string }>(`SELECT "itemId" FROM media_files WHERE path LIKE '%' || $1`, [fileName])).rows[0].itemId;
  const jobs = async (itemId: string) =>
    (
      await sql.query<{ state: string; error: string | null; result: Record<string, unknown> | null }>(
        `SELECT state, error, result FROM job_runs WHERE queue = 'trickplay' AND "targetId" = $1 ORDER BY "createdAt"`,
        [itemId],
      )
    ).rows;
  /** Tiles `indexes` of an item's first 320×180 sprite sheet, as raw pixels. */
  const spriteTiles = async (itemId: string, indexes: number[]) => {
    const image = await fetchImage(`/api/v1/items/${itemId}/trickplay/0.jpg`, bearer(user)).expect(200);
    return Promise.all(
      indexes.map((n) =>
        sharp(image.body as Buffer)
          .extract({ left: n * 320, top: 0, width: 320, height: 180 })
          .raw()
          .toBuffer(),
      ),
    );
  };
  /** The mean difference of two tiles' pixel values. */
  const difference = (a: Buffer, b: Buffer) => a.reduce((sum, value, i) => sum + Math.abs(value - b[i]), 0) / a.length;
  const durationOf = async (itemId: string) =>
    Number((await sql.query<{ d: string }>(`SELECT "durationMs" AS d FROM media_files WHERE "itemId" = $1`, [itemId])).rows[0].d);

  beforeAll(async () => {
    media = mkdtempSync(join(tmpdir(), 'marquee-trickplay-media-'));
    await makeVideo(join(media, 'Film (2000)', 'Film (2000).mkv'), { seconds: 5, width: 640, height: 360, audio: false });
    await makeVideo(join(media, 'Tall (2001)', 'Tall (2001).mp4'), { seconds: 2, width: 240, height: 320, container: 'mp4', audio: false });
    await makeCorrupt(join(media, 'Broken (2002)', 'Broken (2002).mkv'), 'garbage');
    await makeFlac(join(media, 'Song (2003)', 'Song (2003).flac'), { seconds: 1 });
    // A film in two parts: moving test pictures, then still colour bars.
    await makeVideo(join(media, 'Parts (2004)', 'Parts (2004) cd1.mkv'), { seconds: 2, width: 640, height: 360, audio: false });
    await makeVideo(join(media, 'Parts (2004)', 'Parts (2004) cd2.mkv'), {
      seconds: 3,
      width: 640,
      height: 360,
      audio: false,
      source: 'smptebars',
    });

    db = await createScratchDatabase();
    config = testConfig({ env: { DATABASE_URL: db.url } });
    api = await startApi(config);
    worker = await startWorker(config);
    ({ admin, user } = await seedAccounts(api));
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    const since = new Date(Date.now() - 5);
    const created = await http()
      .post('/api/v1/libraries')
      .set(bearer(admin))
      .send({ name: 'Mixed', kind: 'mixed', folders: [media] });
    expect(created.status).toBe(201);
    await waitForScanAndJobs(sql, since);
    ids.film = await itemOf('Film (2000).mkv');
    ids.tall = await itemOf('Tall (2001).mp4');
    ids.broken = await itemOf('Broken (2002).mkv');
    ids.song = await itemOf('Song (2003).flac');
    ids.parts = await itemOf('Parts (2004) cd1.mkv');
  }, 180_000);

  afterAll(async () => {
    await sql?.end();
    await worker?.close();
    await api?.close();
    await db?.drop();
    for (const dir of [media, config?.dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('after the probe', () => {
    it('a trickplay job ran for each video, reporting what it made', async () => {
      // 5 s of video: one thumbnail a second (however the muxer rounded the duration).
      const expected = Math.ceil((await durationOf(ids.film)) / 1000);
      expect(expected).toBeGreaterThanOrEqual(5);
      expect(await jobs(ids.film)).toEqual([
        expect.objectContaining({ state: 'completed', result: { thumbnails: expected, sheets: 1, intervalMs: 1000, tile: '320x180' } }),
      ]);
      expect(await jobs(ids.tall)).toEqual([expect.objectContaining({ state: 'completed' })]);
      // No probe, no duration: the corrupt file and the music get no trickplay job.
      expect(await jobs(ids.broken)).toEqual([]);
      expect(await jobs(ids.song)).toEqual([]);
      const files = readdirSync(join(config.dataDir, 'trickplay', ids.film));
      expect(files).toHaveLength(1);
      expect(readdirSync(join(config.dataDir, 'trickplay', ids.film, files[0])).sort()).toEqual([
        '0.jpg',
        'manifest.json',
        'trickplay.vtt',
      ]);
    });

    it('TrickplayService.info describes it', async () => {
      expect(await api.get(TrickplayService).info(ids.film)).toEqual({
        path: `items/${ids.film}/trickplay.vtt`,
        intervalMs: 1000,
        tileWidth: 320,
        tileHeight: 180,
        columns: 10,
        rows: 10,
        thumbnailCount: Math.ceil((await durationOf(ids.film)) / 1000),
      });
      expect(await api.get(TrickplayService).info(ids.song)).toBeNull();
      await expect(api.get(TrickplayService).info('6f1c1b7e-0000-4000-8000-000000000000')).rejects.toThrow(/not found/);
    });
  });

  describe('the thumbnails track', () => {
    it('covers the whole video with back-to-back cues whose #xywh lies inside the sprite image', async () => {
      const res = await http().get(trackUrl(ids.film)).set(bearer(user)).expect(200);
      expect(res.headers['content-type']).toBe('text/vtt; charset=utf-8');
      const cues = parseThumbnails(res.text);
      const duration = await durationOf(ids.film);
      expect(duration).toBeGreaterThanOrEqual(4900);
      expect(cues).toHaveLength(Math.ceil(duration / 1000));
      expect(cues[0].startMs).toBe(0);
      expect(cues[cues.length - 1].endMs).toBe(duration);
      cues.forEach((cue, i) => {
        expect(cue.endMs).toBeGreaterThan(cue.startMs);
        if (i > 0) expect(cue.startMs).toBe(cues[i - 1].endMs);
      });
      const sprites = new Map<string, { width: number; height: number }>();
      for (const cue of cues) {
        if (!sprites.has(cue.url)) {
          const image = await fetchImage(resolveAgainstTrack(ids.film, cue.url), bearer(user)).expect(200);
          expect(image.headers['content-type']).toBe('image/jpeg');
          const meta = await sharp(image.body as Buffer).metadata();
          sprites.set(cue.url, { width: meta.width!, height: meta.height! });
        }
        const sprite = sprites.get(cue.url)!;
        expect(cue).toMatchObject({ w: 320, h: 180 });
        expect(cue.x + cue.w).toBeLessThanOrEqual(sprite.width);
        expect(cue.y + cue.h).toBeLessThanOrEqual(sprite.height);
      }
      expect([...sprites.entries()]).toEqual([['trickplay/0.jpg', { width: cues.length * 320, height: 180 }]]);
    });

    it('the tiles are frames of the video in order (testsrc changes over time)', async () => {
      const tiles = await spriteTiles(ids.film, [0, 1, 2]);
      expect(difference(tiles[0], tiles[1])).toBeGreaterThan(1);
      expect(difference(tiles[1], tiles[2])).toBeGreaterThan(1);
    });

    it('keeps the display aspect ratio of a portrait video (240×320 → 320×426, even heights)', async () => {
      const cues = parseThumbnails((await http().get(trackUrl(ids.tall)).set(bearer(user)).expect(200)).text);
      expect(cues).toHaveLength(Math.ceil((await durationOf(ids.tall)) / 1000));
      expect(cues[0]).toMatchObject({ x: 0, y: 0, w: 320, h: 426 });
      expect(cues[1]).toMatchObject({ x: 320, y: 0, w: 320, h: 426 });
    });

    it('answers 304 to a matching If-None-Match', async () => {
      const first = await http().get(trackUrl(ids.film)).set(bearer(user)).expect(200);
      await http().get(trackUrl(ids.film)).set(bearer(user)).set('If-None-Match', first.headers.etag).expect(304);
    });
  });

  describe('a film in parts', () => {
    const partDurations = async () =>
      (await sql.query<{ d: string }>(`SELECT "durationMs" AS d FROM media_files WHERE "itemId" = $1 ORDER BY path`, [ids.parts])).rows.map(
        (row) => Number(row.d),
      );

    it('gets one track over all its parts, on the timeline HLS plays them on', async () => {
      expect(await itemOf('Parts (2004) cd2.mkv')).toBe(ids.parts);
      const [first, second] = await partDurations();
      const whole = first + second;
      expect(whole).toBeGreaterThanOrEqual(4900);
      // A job per part; the one that found every part probed made the track (and any other found it made or skipped).
      const runs = await jobs(ids.parts);
      expect(runs.length).toBeGreaterThanOrEqual(1);
      expect(runs.every((run) => run.state === 'completed')).toBe(true);
      const built = runs.filter((run) => run.result?.intervalMs);
      expect(built.length).toBeGreaterThanOrEqual(1);
      for (const run of built)
        expect(run.result).toEqual(expect.objectContaining({ thumbnails: Math.ceil(whole / 1000), intervalMs: 1000 }));
      const cues = parseThumbnails((await http().get(trackUrl(ids.parts)).set(bearer(user)).expect(200)).text);
      expect(cues).toHaveLength(Math.ceil(whole / 1000));
      expect(cues[cues.length - 1].endMs).toBe(whole);
    });

    it('its tiles past the first part are the second part’s pictures', async () => {
      const tiles = await spriteTiles(ids.parts, [0, 1, 3, 4]);
      // The test pictures move; the colour bars (at 3 s and 4 s, in the second part) stand still.
      expect(difference(tiles[0], tiles[1])).toBeGreaterThan(1);
      expect(difference(tiles[2], tiles[3])).toBeLessThan(1);
      expect(difference(tiles[1], tiles[2])).toBeGreaterThan(10);
    });
  });

  describe('signed URLs', () => {
    it('a track fetched with ?st= names images carrying the same token, which work without headers', async () => {
      const token = api.get(StreamTokenService).sign(user.id, ids.film, 300);
      const res = await http()
        .get(`${trackUrl(ids.film)}?st=${token}`)
        .expect(200);
      const cues = parseThumbnails(res.text);
      expect(cues.every((cue) => cue.url === `trickplay/0.jpg?st=${token}`)).toBe(true);
      const image = await fetchImage(resolveAgainstTrack(ids.film, cues[0].url)).expect(200);
      expect((await sharp(image.body as Buffer).metadata()).format).toBe('jpeg');
      // With a header instead, the URLs carry no token.
      expect(parseThumbnails((await http().get(trackUrl(ids.film)).set(bearer(user)).expect(200)).text)[0].url).toBe('trickplay/0.jpg');
    });

    it('a token for another item, or none, is refused on the track and the sprites', async () => {
      const other = api.get(StreamTokenService).sign(user.id, ids.tall, 300);
      await http()
        .get(`${trackUrl(ids.film)}?st=${other}`)
        .expect(401);
      await http().get(`/api/v1/items/${ids.film}/trickplay/0.jpg?st=${other}`).expect(401);
      await http().get(trackUrl(ids.film)).expect(401);
      await http().get(`/api/v1/items/${ids.film}/trickplay/0.jpg`).expect(401);
    });

    it('an API key needs the stream scope', async () => {
      const keys = api.get(ApiKeysService);
      const readOnly = await keys.create({ id: user.id, role: 'user' }, { name: 'read only', scopes: ['read'] });
      await http().get(trackUrl(ids.film)).set('X-Api-Key', readOnly.key).expect(403);
      await http().get(`/api/v1/items/${ids.film}/trickplay/0.jpg`).set('X-Api-Key', readOnly.key).expect(403);
      const streaming = await keys.create({ id: user.id, role: 'user' }, { name: 'player', scopes: ['stream'] });
      await http().get(trackUrl(ids.film)).set('X-Api-Key', streaming.key).expect(200);
    });
  });

  describe('hostile sprite numbers', () => {
    it.each([
      ['..%2F..%2Fmanifest', 400],
      ['..%5C..%5Cmanifest', 400],
      ['-1', 400],
      ['1.5', 400],
      ['00', 400],
      ['0%00', 400],
      ['..%252Fmanifest', 400],
      ['1', 404],
      ['9999', 404],
    ])('%s → %i', async (sheet, status) => {
      const res = await http().get(`/api/v1/items/${ids.film}/trickplay/${sheet}.jpg`).set(bearer(user));
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    });

    it('a traversal in the path never reaches a file', async () => {
      for (const path of [
        `/api/v1/items/${ids.film}/trickplay/../../../../etc/passwd.jpg`,
        `/api/v1/items/${ids.film}/trickplay/..%2F..%2F..%2F..%2Fetc%2Fpasswd.jpg`,
        `/api/v1/items/..%2F..%2Fetc/trickplay.vtt`,
      ]) {
        const res = await http().get(path).set(bearer(user));
        expect([400, 404]).toContain(res.status);
        expect(res.text).not.toMatch(/root:|WEBVTT/);
      }
    });
  });

  describe('on demand', () => {
    it('a missing build answers 404 with a clear detail and queues the job; then it exists', async () => {
      rmSync(join(config.dataDir, 'trickplay', ids.tall), { recursive: true, force: true });
      expect(await api.get(TrickplayService).info(ids.tall)).toBeNull();
      const res = await http().get(trackUrl(ids.tall)).set(bearer(user)).expect(404);
      expect(res.body.detail).toMatch(/not ready yet; it is being generated \(job [0-9a-f-]{36}\)/);
      await waitFor(
        async () => ((await jobs(ids.tall)).every((run) => run.state === 'completed') ? true : undefined),
        'the on-demand trickplay job',
        30_000,
      );
      expect(await jobs(ids.tall)).toHaveLength(2);
      const thumbnails = Math.ceil((await durationOf(ids.tall)) / 1000);
      expect(await api.get(TrickplayService).info(ids.tall)).toMatchObject({ thumbnailCount: thumbnails, tileHeight: 426 });
      expect(parseThumbnails((await http().get(trackUrl(ids.tall)).set(bearer(user)).expect(200)).text)).toHaveLength(thumbnails);
      await http().get(`/api/v1/items/${ids.tall}/trickplay/0.jpg`).set(bearer(user)).expect(200);
    });

    it('an item without video has none: 404', async () => {
      const res = await http().get(trackUrl(ids.song)).set(bearer(user)).expect(404);
      expect(res.body.detail).toMatch(/has no video file/);
      expect(await jobs(ids.song)).toEqual([]);
    });

    it('a corrupt video fails the job with a clear error, which the track then reports', async () => {
      // The catalogue believes the file lasts 3 s (as if it broke after its probe).
      await sql.query(`UPDATE media_files SET "durationMs" = 3000 WHERE "itemId" = $1`, [ids.broken]);
      const fileId = (await sql.query<{ id: string }>(`SELECT id FROM media_files WHERE "itemId" = $1`, [ids.broken])).rows[0].id;
      const { id } = await api
        .get(JobLedger)
        .enqueue('trickplay', 'trickplay', { fileId }, { type: 'item', id: ids.broken, label: 'Broken' });
      const failed = await waitFor(async () => {
        const row = (await sql.query<{ state: string; error: string }>(`SELECT state, error FROM job_runs WHERE id = $1`, [id])).rows[0];
        return row.state === 'failed' ? row : undefined;
      }, 'the failed trickplay job');
      expect(failed.error).toMatch(/^Could not extract thumbnails from .*Broken \(2002\)\.mkv: ffmpeg exited with code \d+/);
      expect(
        existsSync(join(config.dataDir, 'trickplay', ids.broken)) ? readdirSync(join(config.dataDir, 'trickplay', ids.broken)) : [],
      ).toEqual([]);
      const res = await http().get(trackUrl(ids.broken)).set(bearer(user)).expect(404);
      expect(res.body.detail).toMatch(/could not be generated: Could not extract thumbnails/);
      expect(await jobs(ids.broken)).toHaveLength(1);
    });
  });

  it('once an item is deleted, the daily clean-derived-files task removes its trickplay and subtitle folders, and no other', async () => {
    const scheduler = await api.get(QueueService).queue('library-maintenance').getJobScheduler('clean-derived-files');
    expect(scheduler?.every).toBe(24 * 60 * 60_000);
    const trickplayOf = (id: string) => join(config.dataDir, 'trickplay', id);
    const subtitlesOf = (id: string) => join(config.dataDir, 'subtitles', id);
    expect(existsSync(trickplayOf(ids.tall))).toBe(true);
    // A deleted item's leftovers, and a folder that is not an item's (never touched).
    const gone = randomUUID();
    for (const dir of [trickplayOf(gone), subtitlesOf(gone), join(config.dataDir, 'subtitles', 'not-an-item')]) {
      mkdirSync(join(dir, '0123456789abcdef'), { recursive: true });
      writeFileSync(join(dir, '0123456789abcdef', '0.vtt'), 'WEBVTT\n');
    }
    await sql.query(`DELETE FROM media_items WHERE id = $1`, [ids.tall]);

    const { id } = await api.get(JobLedger).enqueue('library-maintenance', 'clean-derived-files', {});
    const run = await waitFor(async () => {
      const row = (await sql.query<{ state: string; result: unknown }>(`SELECT state, result FROM job_runs WHERE id = $1`, [id])).rows[0];
      return row.state === 'completed' || row.state === 'failed' ? row : undefined;
    }, 'the clean-up task');
    expect(run).toEqual({ state: 'completed', result: { subtitleFolders: 1, trickplayFolders: 2 } });
    expect([trickplayOf(ids.tall), trickplayOf(gone), subtitlesOf(gone)].map((dir) => existsSync(dir))).toEqual([false, false, false]);
    expect(existsSync(trickplayOf(ids.film))).toBe(true);
    expect(existsSync(join(config.dataDir, 'subtitles', 'not-an-item'))).toBe(true);
  });
});
