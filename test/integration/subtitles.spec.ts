import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PROBLEM_CONTENT_TYPE, type SubtitleTrack } from '@marquee/contracts';
import fc from 'fast-check';
import pg from 'pg';
import request from 'supertest';
import { ApiKeysService, StreamTokenService } from '../../libs/auth/src/index.js';
import type { AppConfig } from '../../libs/core/src/index.js';
import { QueueService } from '../../libs/jobs/src/index.js';
import { SubtitleDeliveryService, SubtitleTracksService } from '../../libs/streaming/src/index.js';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { ffprobePath, makeCorrupt, makeVideo } from '../helpers/media-fixtures.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';
import { waitForScanAndJobs } from '../helpers/wait-for-scan.js';

interface ParsedCue {
  startMs: number;
  endMs: number;
  text: string;
}

const TIMESTAMP = String.raw`(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})`;
const TIMING = new RegExp(String.raw`^${TIMESTAMP} --> ${TIMESTAMP}(?: .*)?$`);
const toMs = (h: string | undefined, m: string, s: string, f: string) =>
  Number(h ?? 0) * 3_600_000 + Number(m) * 60_000 + Number(s) * 1000 + Number(f);

/** A strict-enough WebVTT reader for the tests: the signature, then cues (an optional id line, a timing line, text). */
function parseVtt(body: string): ParsedCue[] {
  expect(body).toMatch(/^WEBVTT(?:[ \t][^\n]*)?\n/);
  const cues: ParsedCue[] = [];
  for (const block of body.split(/\n{2,}/).slice(1)) {
    const lines = block.split('\n').filter((line) => line !== '');
    if (lines.length === 0 || /^(NOTE|STYLE|REGION)\b/.test(lines[0])) continue;
    const timingAt = TIMING.test(lines[0]) ? 0 : 1;
    const timing = TIMING.exec(lines[timingAt] ?? '');
    if (!timing) throw new Error(`not a cue: ${JSON.stringify(block)}`);
    cues.push({
      startMs: toMs(timing[1], timing[2], timing[3], timing[4]),
      endMs: toMs(timing[5], timing[6], timing[7], timing[8]),
      text: lines.slice(timingAt + 1).join('\n'),
    });
  }
  return cues;
}

/** Start and end of each packet of a stream, as ffprobe reads them. */
async function subtitlePackets(path: string, streamIndex: number): Promise<{ startMs: number; endMs: number }[]> {
  const { stdout } = await promisify(execFile)(ffprobePath(), [
    '-v',
    'error',
    '-select_streams',
    String(streamIndex),
    '-show_entries',
    'packet=pts_time,duration_time',
    '-of',
    'json',
    path,
  ]);
  const packets = (JSON.parse(stdout) as { packets: { pts_time: string; duration_time: string }[] }).packets;
  return packets.map((packet) => {
    const startMs = Math.round(Number(packet.pts_time) * 1000);
    return { startMs, endMs: startMs + Math.round(Number(packet.duration_time) * 1000) };
  });
}

const SRT_EN =
  '1\r\n00:00:00,500 --> 00:00:01,250\r\n<i>Hello</i> from a sidecar\r\n\r\n2\r\n00:00:01,250 --> 00:00:01,900\r\nSecond line\r\nwrapped\r\n';
const ASS_FORCED = `[Script Info]
ScriptType: v4.00+

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Comment: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,not shown
Dialogue: 0,0:00:00.20,0:00:00.90,Default,,0,0,0,,{\\an8\\i1}Forced{\\i0}, on top\\Nsecond row
`;
const VTT_DEFAULT = '\uFEFFWEBVTT\r\n\r\n00:00.100 --> 00:00.800\r\nA WebVTT sidecar\r\n';
// Windows-1252: "café" with 0xE9.
const SRT_FR = Buffer.concat([Buffer.from('1\n00:00:00,000 --> 00:00:01,000\ncaf'), Buffer.from([0xe9]), Buffer.from('\n')]);

describe('subtitles', () => {
  let db: ScratchDatabase;
  let config: AppConfig;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let sql: pg.Client;
  let admin: TestAccount;
  let user: TestAccount;
  let media: string;
  let outside: string;
  const ids: Record<'alien' | 'matrix' | 'broken' | 'plain' | 'parts', string> = {
    alien: '',
    matrix: '',
    broken: '',
    plain: '',
    parts: '',
  };

  const http = () => request(api.getHttpServer());
  const vttUrl = (itemId: string, track: string) => `/api/v1/items/${itemId}/subtitles/${track}.vtt`;
  const itemOf = async (fileName: string) =>
    (await sql.query<{ itemId: string }>(`SELECT "itemId" FROM media_files WHERE path LIKE '%' || $1`, [fileName])).rows[0].itemId;
  const cacheDir = (itemId: string) => join(config.dataDir, 'subtitles', itemId);
  const cachedFiles = (itemId: string) =>
    existsSync(cacheDir(itemId)) ? readdirSync(cacheDir(itemId)).flatMap((version) => readdirSync(join(cacheDir(itemId), version))) : [];
  const jobs = async (itemId: string) =>
    (
      await sql.query<{ state: string; priority: number; error: string | null }>(
        `SELECT state, priority, error FROM job_runs WHERE queue = 'extract-subtitles' AND "targetId" = $1 ORDER BY "createdAt"`,
        [itemId],
      )
    ).rows;

  beforeAll(async () => {
    media = mkdtempSync(join(tmpdir(), 'marquee-subtitles-media-'));
    outside = mkdtempSync(join(tmpdir(), 'marquee-subtitles-outside-'));
    const alien = join(media, 'Alien (1979)');
    await makeVideo(join(alien, 'Alien (1979).mkv'), { seconds: 2, subtitles: true, audioLanguage: 'eng' });
    writeFileSync(join(alien, 'Alien (1979).en.srt'), SRT_EN);
    writeFileSync(join(alien, 'Alien (1979).eng.forced.ass'), ASS_FORCED);
    writeFileSync(join(alien, 'Alien (1979).default.vtt'), VTT_DEFAULT);
    writeFileSync(join(alien, 'Alien (1979).fr.sdh.srt'), SRT_FR);
    writeFileSync(join(alien, 'Alien (1979).sup'), 'not served');
    writeFileSync(join(alien, 'Other film.en.srt'), SRT_EN);
    // A sidecar that is a symlink out of the library is never listed nor read.
    writeFileSync(join(outside, 'secret.srt'), '1\n00:00:00,000 --> 00:00:01,000\nTOP SECRET\n');
    symlinkSync(join(outside, 'secret.srt'), join(alien, 'Alien (1979).de.srt'));
    await makeVideo(join(media, 'The Matrix (1999)', 'The Matrix (1999).mp4'), { seconds: 2, container: 'mp4', subtitles: true });
    await makeVideo(join(media, 'Plain (2001)', 'Plain (2001).mkv'), { seconds: 1, audio: false });
    await makeCorrupt(join(media, 'Broken (2020)', 'Broken (2020).mkv'), 'garbage');
    // A film in two parts, each with the embedded stream and an English sidecar of its own.
    const parts = join(media, 'Two Parts (2019)');
    await makeVideo(join(parts, 'Two Parts (2019) cd1.mkv'), { seconds: 2, subtitles: true });
    await makeVideo(join(parts, 'Two Parts (2019) cd2.mkv'), { seconds: 3, subtitles: true });
    writeFileSync(join(parts, 'Two Parts (2019) cd1.en.srt'), '1\n00:00:00,500 --> 00:00:01,000\nIn the first part\n');
    writeFileSync(join(parts, 'Two Parts (2019) cd2.en.srt'), '1\n00:00:00,250 --> 00:00:01,500\nIn the second part\n');
    writeFileSync(join(parts, 'Two Parts (2019) cd2.fr.srt'), '1\n00:00:00,000 --> 00:00:01,000\nSeulement ici\n');

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
      .send({ name: 'Films', kind: 'movies', folders: [media] });
    expect(created.status).toBe(201);
    await waitForScanAndJobs(sql, since);
    ids.alien = await itemOf('Alien (1979).mkv');
    ids.matrix = await itemOf('The Matrix (1999).mp4');
    ids.broken = await itemOf('Broken (2020).mkv');
    ids.plain = await itemOf('Plain (2001).mkv');
    ids.parts = await itemOf('Two Parts (2019) cd1.mkv');
  }, 180_000);

  afterAll(async () => {
    await sql?.end();
    await worker?.close();
    await api?.close();
    await db?.drop();
    for (const dir of [media, outside, config?.dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('the track list', () => {
    let tracks: SubtitleTrack[];
    beforeAll(async () => {
      tracks = await api.get(SubtitleTracksService).list(ids.alien);
    });

    it('lists the embedded text stream by its index', async () => {
      const { rows } = await sql.query<{ streamIndex: number }>(
        `SELECT s."streamIndex" FROM media_streams s JOIN media_files f ON f.id = s."fileId" WHERE f."itemId" = $1 AND s.type = 'subtitle'`,
        [ids.alien],
      );
      expect(rows).toEqual([{ streamIndex: 2 }]);
      expect(tracks[0]).toEqual({
        id: '2',
        language: 'en',
        label: 'English',
        codec: 'subrip',
        external: false,
        default: expect.any(Boolean),
        forced: false,
        path: `items/${ids.alien}/subtitles/2.vtt`,
      });
    });

    it('finds the sidecars next to the file, in file-name order, with language and flags from their names', () => {
      expect(tracks.slice(1)).toEqual([
        {
          id: 'ext-1',
          language: null,
          label: 'Alien (1979).default.vtt',
          codec: 'webvtt',
          external: true,
          default: true,
          forced: false,
          hearingImpaired: false,
          path: `items/${ids.alien}/subtitles/ext-1.vtt`,
        },
        expect.objectContaining({ id: 'ext-2', language: 'en', codec: 'subrip', label: 'English', forced: false, default: false }),
        expect.objectContaining({ id: 'ext-3', language: 'en', codec: 'ass', label: 'English (Forced)', forced: true }),
        expect.objectContaining({ id: 'ext-4', language: 'fr', codec: 'subrip', label: 'French (SDH)', hearingImpaired: true }),
      ]);
    });

    it('leaves out image-based streams, which cannot become WebVTT', async () => {
      const fileId = (await sql.query<{ id: string }>(`SELECT id FROM media_files WHERE "itemId" = $1`, [ids.alien])).rows[0].id;
      await sql.query(
        `INSERT INTO media_streams ("fileId", "streamIndex", type, codec, language) VALUES ($1, 7, 'subtitle', 'hdmv_pgs_subtitle', 'eng')`,
        [fileId],
      );
      const after = await api.get(SubtitleTracksService).list(ids.alien);
      expect(after.map((track) => track.id)).toEqual(['2', 'ext-1', 'ext-2', 'ext-3', 'ext-4']);
      const res = await http().get(vttUrl(ids.alien, '7')).set(bearer(user)).expect(404);
      expect(res.body.detail).toMatch(/PGS \(image-based\).*cannot be converted to WebVTT/);
    });

    it('is empty for an item without subtitles, and 404 for an unknown item', async () => {
      expect(await api.get(SubtitleTracksService).list(ids.plain)).toEqual([]);
      await expect(api.get(SubtitleTracksService).list('6f1c1b7e-0000-4000-8000-000000000000')).rejects.toThrow(/not found/);
    });
  });

  describe('embedded streams', () => {
    it('were extracted after the probe found a text stream, into the data dir', async () => {
      expect(await jobs(ids.alien)).toEqual([expect.objectContaining({ state: 'completed', priority: 10 })]);
      expect(await jobs(ids.plain)).toEqual([]);
      expect(cachedFiles(ids.alien)).toEqual(['2.vtt']);
    });

    it('are served as WebVTT with the cue times and text of the stream', async () => {
      const res = await http().get(vttUrl(ids.alien, '2')).set(bearer(user)).expect(200);
      expect(res.headers['content-type']).toBe('text/vtt; charset=utf-8');
      expect(res.headers.etag).toMatch(/^"[0-9a-f]{16}-2"$/);
      // The fixture's cues are 0–1 s "Hello" and 1–2 s "World"; the muxer may shift the track by its start
      // offset (tens of ms), so the exact times are read back from the file's packets.
      const packets = await subtitlePackets(join(media, 'Alien (1979)', 'Alien (1979).mkv'), 2);
      expect(packets).toHaveLength(2);
      expect(packets[0].startMs).toBeLessThan(100);
      expect(parseVtt(res.text)).toEqual([
        { ...packets[0], text: 'Hello' },
        { ...packets[1], text: 'World' },
      ]);
      await http().get(vttUrl(ids.alien, '2')).set(bearer(user)).set('If-None-Match', res.headers.etag).expect(304);
    });

    it('mov_text in an mp4 too', async () => {
      const res = await http().get(vttUrl(ids.matrix, '2')).set(bearer(user)).expect(200);
      const packets = await subtitlePackets(join(media, 'The Matrix (1999)', 'The Matrix (1999).mp4'), 2);
      expect(parseVtt(res.text)).toEqual([
        { ...packets[0], text: 'Hello' },
        { ...packets[1], text: 'World' },
      ]);
    });

    it('a track not extracted yet is extracted on request (interactive priority) and served', async () => {
      rmSync(cacheDir(ids.alien), { recursive: true, force: true });
      const res = await http().get(vttUrl(ids.alien, '2')).set(bearer(user)).expect(200);
      expect(parseVtt(res.text)).toHaveLength(2);
      // The file is served as soon as it is written; the ledger row completes a moment later.
      const runs = await waitFor(async () => {
        const all = await jobs(ids.alien);
        return all.every((run) => run.state === 'completed') ? all : undefined;
      }, 'the on-demand extraction to complete');
      expect(runs).toHaveLength(2);
      expect(runs[1]).toMatchObject({ state: 'completed', priority: 1 });
      expect(cachedFiles(ids.alien)).toEqual(['2.vtt']);
    });

    it('answers 503 with Retry-After when the extraction does not finish in time, then serves it', async () => {
      rmSync(cacheDir(ids.matrix), { recursive: true, force: true });
      const queue = api.get(QueueService).queue('extract-subtitles');
      const delivery = api.get(SubtitleDeliveryService);
      await queue.pause();
      delivery.waitMs = 500;
      try {
        const res = await http().get(vttUrl(ids.matrix, '2')).set(bearer(user)).expect(503);
        expect(res.headers['retry-after']).toBe('10');
        expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
        expect(res.body.detail).toMatch(/is being extracted \(job [0-9a-f-]{36}\); retry in 10 s/);
        // A second request joins the same job instead of queueing another.
        await http().get(vttUrl(ids.matrix, '2')).set(bearer(user)).expect(503);
        expect((await jobs(ids.matrix)).filter((run) => run.state === 'queued')).toHaveLength(1);
      } finally {
        delivery.waitMs = 20_000;
        await queue.resume();
      }
      const res = await http().get(vttUrl(ids.matrix, '2')).set(bearer(user)).expect(200);
      expect(parseVtt(res.text).map((cue) => cue.text)).toEqual(['Hello', 'World']);
    });

    it('a file ffmpeg cannot read fails the job with a clear error, and later requests say so without queueing again', async () => {
      const fileId = (await sql.query<{ id: string }>(`SELECT id FROM media_files WHERE "itemId" = $1`, [ids.broken])).rows[0].id;
      await sql.query(`INSERT INTO media_streams ("fileId", "streamIndex", type, codec) VALUES ($1, 2, 'subtitle', 'subrip')`, [fileId]);
      const res = await http().get(vttUrl(ids.broken, '2')).set(bearer(user)).expect(500);
      expect(res.body.detail).toMatch(/failed: Could not extract subtitles from .*Broken \(2020\)\.mkv: ffmpeg exited with code/);
      const again = await http().get(vttUrl(ids.broken, '2')).set(bearer(user)).expect(500);
      expect(again.body.detail).toMatch(/Could not extract subtitles/);
      expect(await jobs(ids.broken)).toEqual([expect.objectContaining({ state: 'failed' })]);
      expect(cachedFiles(ids.broken)).toEqual([]);
    });
  });

  describe('sidecars', () => {
    const cuesOf = async (track: string) => parseVtt((await http().get(vttUrl(ids.alien, track)).set(bearer(user)).expect(200)).text);

    it('SRT: timestamps, CRLF, and italics kept', async () => {
      expect(await cuesOf('ext-2')).toEqual([
        { startMs: 500, endMs: 1250, text: '<i>Hello</i> from a sidecar' },
        { startMs: 1250, endMs: 1900, text: 'Second line\nwrapped' },
      ]);
    });

    it('ASS: comments skipped, styling stripped, \\N a line break', async () => {
      expect(await cuesOf('ext-3')).toEqual([{ startMs: 200, endMs: 900, text: 'Forced, on top\nsecond row' }]);
    });

    it('WebVTT: served as written, without the BOM', async () => {
      const res = await http().get(vttUrl(ids.alien, 'ext-1')).set(bearer(user)).expect(200);
      expect(res.text).toBe('WEBVTT\n\n00:00.100 --> 00:00.800\nA WebVTT sidecar\n');
      expect(parseVtt(res.text)).toEqual([{ startMs: 100, endMs: 800, text: 'A WebVTT sidecar' }]);
    });

    it('Windows-1252 text is decoded', async () => {
      expect(await cuesOf('ext-4')).toEqual([{ startMs: 0, endMs: 1000, text: 'café' }]);
    });

    it('a sidecar symlinked out of the library is neither listed nor served', async () => {
      await http().get(vttUrl(ids.alien, 'ext-5')).set(bearer(user)).expect(404);
      for (const track of ['ext-1', 'ext-2', 'ext-3', 'ext-4']) {
        const res = await http().get(vttUrl(ids.alien, track)).set(bearer(user)).expect(200);
        expect(res.text).not.toContain('TOP SECRET');
      }
    });
  });

  describe('a film in parts (played as one by HLS)', () => {
    const firstPartMs = async () =>
      Number(
        (await sql.query<{ durationMs: string }>(`SELECT "durationMs" FROM media_files WHERE path LIKE '%Two Parts (2019) cd1.mkv'`))
          .rows[0].durationMs,
      );

    it('is one item whose tracks are the first part’s', async () => {
      expect(await itemOf('Two Parts (2019) cd2.mkv')).toBe(ids.parts);
      const tracks = await api.get(SubtitleTracksService).list(ids.parts);
      expect(tracks.map((track) => [track.id, track.external])).toEqual([
        ['2', false],
        ['ext-1', true],
      ]);
      expect(tracks[1].language).toBe('en');
    });

    it('an embedded track runs over every part: the second part’s cues follow the first part’s running time', async () => {
      const res = await http().get(vttUrl(ids.parts, '2')).set(bearer(user)).expect(200);
      const offset = await firstPartMs();
      const first = await subtitlePackets(join(media, 'Two Parts (2019)', 'Two Parts (2019) cd1.mkv'), 2);
      const second = await subtitlePackets(join(media, 'Two Parts (2019)', 'Two Parts (2019) cd2.mkv'), 2);
      const cues = parseVtt(res.text);
      expect(cues.map((cue) => cue.text)).toEqual(['Hello', 'World', 'Hello', 'World']);
      const expected = [...first, ...second.map((packet) => ({ startMs: packet.startMs + offset, endMs: packet.endMs + offset }))];
      // ffmpeg's concat demuxer and the probe may round the first part's length differently by a millisecond.
      cues.forEach((cue, index) => {
        expect(Math.abs(cue.startMs - expected[index].startMs)).toBeLessThanOrEqual(2);
        expect(Math.abs(cue.endMs - expected[index].endMs)).toBeLessThanOrEqual(2);
      });
      expect(cachedFiles(ids.parts)).toEqual(['2.vtt']);
    });

    it('a sidecar track goes on in the matching sidecar of every later part, shifted by the parts before it', async () => {
      const offset = await firstPartMs();
      expect(offset).toBeGreaterThan(1900);
      const res = await http().get(vttUrl(ids.parts, 'ext-1')).set(bearer(user)).expect(200);
      expect(parseVtt(res.text)).toEqual([
        { startMs: 500, endMs: 1000, text: 'In the first part' },
        { startMs: offset + 250, endMs: offset + 1500, text: 'In the second part' },
      ]);
      // A later part's file is part of the track's version.
      const before = res.headers.etag;
      writeFileSync(
        join(media, 'Two Parts (2019)', 'Two Parts (2019) cd2.en.srt'),
        '1\n00:00:00,250 --> 00:00:01,600\nIn the second part\n',
      );
      const after = await http().get(vttUrl(ids.parts, 'ext-1')).set(bearer(user)).expect(200);
      expect(after.headers.etag).not.toBe(before);
      expect(parseVtt(after.text)[1]).toEqual({ startMs: offset + 250, endMs: offset + 1600, text: 'In the second part' });
    });
  });

  describe('hostile track ids', () => {
    it.each([
      ['..%2F..%2F..%2Fetc%2Fpasswd', 400],
      ['..%5C..%5C..%5Cetc%5Cpasswd', 400],
      ['%2e%2e%2fsecret', 400],
      ['..%252F..%252Fetc%252Fpasswd', 400],
      ['-1', 400],
      ['02', 400],
      ['2.5', 400],
      ['2%00', 400],
      ['ext-0', 400],
      ['ext-1%2F..%2F..', 400],
      ['0x2', 400],
      ['99', 404],
      ['ext-99', 404],
    ])('%s → %i, never a file', async (track, status) => {
      const res = await http().get(vttUrl(ids.alien, track)).set(bearer(user));
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(res.text).not.toMatch(/root:|TOP SECRET|WEBVTT/);
    });

    it('a traversal in the path itself never reaches a file', async () => {
      for (const path of [
        `/api/v1/items/${ids.alien}/subtitles/../../../../etc/passwd.vtt`,
        `/api/v1/items/${ids.alien}/subtitles/..%2F..%2F..%2F..%2Fetc%2Fpasswd.vtt`,
        `/api/v1/items/..%2F${ids.alien}/subtitles/2.vtt`,
      ]) {
        const res = await http().get(path).set(bearer(user));
        expect([400, 404]).toContain(res.status);
        expect(res.text).not.toMatch(/root:|WEBVTT/);
      }
    });

    it('any other track id is a 400 or 404 with a problem, never content (property-based)', async () => {
      const hostile = fc.oneof(
        fc.string({ minLength: 1, maxLength: 24 }),
        fc
          .constantFrom('..%2F', '..%5C', '%2e%2e%2f', '..', '/', '\\', 'ext-', '%00', '~')
          .chain((prefix) => fc.string({ maxLength: 12 }).map((rest) => prefix + rest)),
      );
      await fc.assert(
        fc.asyncProperty(hostile, fc.boolean(), async (track, encode) => {
          const segment = encode ? encodeURIComponent(track) : encodeURI(track).replace(/[?#]/g, encodeURIComponent);
          const res = await http().get(`/api/v1/items/${ids.alien}/subtitles/${segment}.vtt`).set(bearer(user));
          const valid = /^(?:2|ext-[1-4])$/.test(track);
          if (!valid) {
            expect([400, 404]).toContain(res.status);
            expect(res.text).not.toMatch(/root:|TOP SECRET|WEBVTT/);
          }
        }),
        { numRuns: 60 },
      );
    });

    it('a malformed item id is a 400, an unknown one a 404', async () => {
      await http().get(vttUrl('..%2F..%2Fetc', '2')).set(bearer(user)).expect(400);
      const res = await http().get(vttUrl('6f1c1b7e-0000-4000-8000-000000000000', '2')).set(bearer(user)).expect(404);
      expect(res.body.detail).toMatch(/not found/);
    });
  });

  describe('auth', () => {
    it('no credential is a 401', async () => {
      await http().get(vttUrl(ids.alien, '2')).expect(401);
      await http().get(vttUrl(ids.alien, 'ext-2')).expect(401);
    });

    it('the signed ?st= token of the item works; one for another item, a forged or an expired one is a 401', async () => {
      const tokens = api.get(StreamTokenService);
      const mine = tokens.sign(user.id, ids.alien, 60);
      expect(
        parseVtt(
          (
            await http()
              .get(`${vttUrl(ids.alien, 'ext-2')}?st=${mine}`)
              .expect(200)
          ).text,
        ),
      ).toHaveLength(2);
      await http()
        .get(`${vttUrl(ids.alien, '2')}?st=${mine}`)
        .expect(200);
      await http()
        .get(`${vttUrl(ids.alien, '2')}?st=${tokens.sign(user.id, ids.matrix, 60)}`)
        .expect(401);
      await http()
        .get(`${vttUrl(ids.alien, '2')}?st=${mine.slice(0, -2)}xx`)
        .expect(401);
      await http()
        .get(`${vttUrl(ids.alien, '2')}?st=${tokens.sign(user.id, ids.alien, 60, Date.now() - 3600_000)}`)
        .expect(401);
    });

    it('an API key needs the stream scope', async () => {
      const keys = api.get(ApiKeysService);
      const readOnly = await keys.create({ id: user.id, role: 'user' }, { name: 'read only', scopes: ['read'] });
      const res = await http().get(vttUrl(ids.alien, '2')).set('X-Api-Key', readOnly.key).expect(403);
      expect(res.body.detail).toMatch(/stream/);
      const streaming = await keys.create({ id: user.id, role: 'user' }, { name: 'player', scopes: ['stream'] });
      await http().get(vttUrl(ids.alien, '2')).set('X-Api-Key', streaming.key).expect(200);
    });
  });

  it('ids of sidecars stay the same while the set of files does; a new one sorting last is appended', async () => {
    const describe = async () =>
      (await api.get(SubtitleTracksService).list(ids.alien)).map((track) => `${track.id}:${track.language}:${track.codec}`);
    const before = await describe();
    expect(await describe()).toEqual(before);
    writeFileSync(join(media, 'Alien (1979)', 'unrelated.srt'), SRT_EN);
    expect(await describe()).toEqual(before);
    writeFileSync(join(media, 'Alien (1979)', 'Alien (1979).zu.srt'), SRT_EN);
    expect(await describe()).toEqual([...before, 'ext-5:zu:subrip']);
  });
});
