import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PROBLEM_CONTENT_TYPE } from '@marquee/contracts';
import { jest } from '@jest/globals';
import fc from 'fast-check';
import pg from 'pg';
import supertest from 'supertest';
import { ApiKeysService, StreamTokenService } from '../../libs/auth/src/index.js';
import { STREAM_ACCOUNT_TTL_MS } from '../../libs/auth/src/tokens/stream-token-authenticator.js';
import { probeFile } from '../../libs/media/src/index.js';
import { DirectStreamLane } from '../../libs/streaming/src/direct/direct-stream-lane.js';
import { bearer, createAccount, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { ffprobePath, makeFlac, makeImage, makeMp3, makeVideo } from '../helpers/media-fixtures.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Larger than what the kernel's socket buffers can take for one paused client (tcp_rmem + tcp_wmem). */
const BIG_FILE_BYTES = 64 * 1024 * 1024;

/** Splits a multipart/byteranges body into its parts (RFC 2046): headers and exact bytes of each. */
function parseMultipart(body: Buffer, contentType: string): { headers: Record<string, string>; data: Buffer }[] {
  const boundary = /^multipart\/byteranges; boundary=([^;\s]+)$/.exec(contentType)?.[1];
  if (!boundary) throw new Error(`not a multipart/byteranges type: ${contentType}`);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { headers: Record<string, string>; data: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  expect(at).toBeGreaterThanOrEqual(0);
  for (;;) {
    const afterDelimiter = at + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    expect(body.subarray(afterDelimiter, afterDelimiter + 2).toString()).toBe('\r\n');
    const headerEnd = body.indexOf('\r\n\r\n', afterDelimiter);
    const headers = Object.fromEntries(
      body
        .subarray(afterDelimiter + 2, headerEnd)
        .toString('latin1')
        .split('\r\n')
        .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
    );
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(headers['content-range'])!;
    const length = Number(range[2]) - Number(range[1]) + 1;
    const dataStart = headerEnd + 4;
    parts.push({ headers, data: body.subarray(dataStart, dataStart + length) });
    // The data is followed by CRLF and the next delimiter.
    expect(body.subarray(dataStart + length, dataStart + length + 2).toString()).toBe('\r\n');
    at = dataStart + length + 2;
    expect(body.subarray(at, at + delimiter.length).equals(delimiter)).toBe(true);
  }
  expect(body.subarray(at + delimiter.length).toString()).toBe('--\r\n');
  return parts;
}

describe('direct play: GET/HEAD /api/v1/stream/:itemId', () => {
  let db: ScratchDatabase;
  let sql: pg.Client;
  let api: NestExpressApplication;
  let admin: TestAccount;
  let user: TestAccount;
  let media: string;
  let libraryId: string;
  let port: number;
  const id: Record<string, string> = {};
  const path: Record<string, string> = {};

  function request(url: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: url, method: options.method ?? 'GET', headers: options.headers, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  const stream = (itemId: string, headers: Record<string, string> = {}, method = 'GET', query = '') =>
    request(`/api/v1/stream/${itemId}${query}`, { method, headers: { ...bearer(user), ...headers } });

  /** Descriptors of this process (the api runs in it) open on `file`. */
  const openDescriptors = (file: string) =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false;
      }
    }).length;

  async function insertItem(type: string, title: string, missing = false): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO media_items ("libraryId", type, title, "missingSince") VALUES ($1, $2, $3, $4) RETURNING id`,
      [libraryId, type, title, missing ? new Date() : null],
    );
    return rows[0].id;
  }

  async function insertFile(
    itemId: string,
    file: string,
    category: 'video' | 'audio' | 'image',
    container: string | null,
    extra: { missing?: boolean; archiveEntry?: string; probe?: boolean } = {},
  ): Promise<string> {
    const stats = statSync(file, { throwIfNoEntry: false });
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO media_files ("itemId", "libraryId", path, folder, "archiveEntry", category, size, mtime, container, "missingSince")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        itemId,
        libraryId,
        file,
        join(file, '..'),
        extra.archiveEntry ?? '',
        category,
        stats?.size ?? 0,
        stats?.mtime ?? new Date(),
        container,
        extra.missing ? new Date() : null,
      ],
    );
    if (extra.probe) {
      // The streams exactly as the real ffprobe reports them (what the media-probe job stores).
      const probe = await probeFile(ffprobePath(), file, { timeoutMs: 30_000 });
      for (const s of probe.streams) {
        await sql.query(
          `INSERT INTO media_streams ("fileId", "streamIndex", type, codec, width, height, "bitDepth", "sampleRate", channels, "isDefault")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [rows[0].id, s.index, s.type, s.codec, s.width, s.height, s.bitDepth, s.sampleRate, s.channels, s.isDefault],
        );
      }
    }
    return rows[0].id;
  }

  /** Requests the lane answered itself (it leaves every other one to the full route). */
  const answeredByLane: string[] = [];

  beforeAll(async () => {
    // Installed before the app starts, so that every request through the lane is seen.
    const handle = DirectStreamLane.prototype.handle;
    jest.spyOn(DirectStreamLane.prototype, 'handle').mockImplementation(async function (this: DirectStreamLane, req, res, prepare) {
      const answered = await handle.call(this, req, res, prepare);
      if (answered) answeredByLane.push(req.url!);
      return answered;
    });
    db = await createScratchDatabase();
    api = await startApi(testConfig({ env: { DATABASE_URL: db.url } }));
    port = (api.getHttpServer().address() as { port: number }).port;
    ({ admin, user } = await seedAccounts(api));
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    media = mkdtempSync(join(tmpdir(), 'marquee-stream-media-'));
    const library = join(media, 'library');
    mkdirSync(library);
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO libraries (name, kind, folders) VALUES ('Mixed', 'movies', $1) RETURNING id`,
      [[library]],
    );
    libraryId = rows[0].id;

    path.mp4 = join(library, 'Film (2020)', 'Film (2020).mp4');
    path.mkv = join(library, 'Other (2021)', 'Other (2021).mkv');
    path.flac = join(library, 'Music', 'Artist', 'Album', '01 - Track.flac');
    path.mp3 = join(library, 'Music', 'Artist', 'Album', '02 - Song.mp3');
    path.png = join(library, 'Photos', 'Picture.png');
    path.hundred = join(library, 'Tiny', 'hundred.bin');
    path.big = join(library, 'Big', 'big.mkv');
    path.changing = join(library, 'Changing', 'changing.mkv');
    path.cd1 = join(library, 'Two Parts (2019)', 'Two Parts (2019) cd1.mp4');
    path.cd2 = join(library, 'Two Parts (2019)', 'Two Parts (2019) cd2.mp4');
    path.gone = join(library, 'Gone', 'gone.mkv');
    await Promise.all([
      makeVideo(path.mp4, { container: 'mp4', seconds: 3 }),
      makeVideo(path.mkv, { container: 'mkv', seconds: 2 }),
      makeFlac(path.flac, { bits: 24, sampleRate: 96000, seconds: 1 }),
      makeMp3(path.mp3, { seconds: 1 }),
      makeImage(path.png, { format: 'png' }),
      makeVideo(path.changing, { seconds: 1 }),
      makeVideo(path.cd1, { container: 'mp4', seconds: 1 }),
      makeVideo(path.cd2, { container: 'mp4', seconds: 2, source: 'smptebars' }),
      makeVideo(path.gone, { seconds: 1 }),
    ]);
    mkdirSync(join(library, 'Tiny'));
    writeFileSync(path.hundred, randomBytes(100));
    mkdirSync(join(library, 'Big'));
    writeFileSync(path.big, randomBytes(BIG_FILE_BYTES));

    id.mp4 = await insertItem('movie', 'Film');
    await insertFile(id.mp4, path.mp4, 'video', 'mp4', { probe: true });
    id.mkv = await insertItem('movie', 'Other');
    await insertFile(id.mkv, path.mkv, 'video', 'mkv', { probe: true });
    id.flac = await insertItem('track', 'Track');
    await insertFile(id.flac, path.flac, 'audio', 'flac', { probe: true });
    id.mp3 = await insertItem('track', 'Song');
    await insertFile(id.mp3, path.mp3, 'audio', 'mp3', { probe: true });
    id.png = await insertItem('image', 'Picture');
    await insertFile(id.png, path.png, 'image', null);
    id.hundred = await insertItem('movie', 'Hundred');
    await insertFile(id.hundred, path.hundred, 'video', null);
    id.big = await insertItem('movie', 'Big');
    await insertFile(id.big, path.big, 'video', 'mkv');
    id.changing = await insertItem('movie', 'Changing');
    await insertFile(id.changing, path.changing, 'video', 'mkv');
    id.parts = await insertItem('movie', 'Two Parts');
    // Inserted out of order: parts follow the path order, not the insertion order.
    await insertFile(id.parts, path.cd2, 'video', 'mp4');
    await insertFile(id.parts, path.cd1, 'video', 'mp4');
    id.gone = await insertItem('movie', 'Gone');
    await insertFile(id.gone, path.gone, 'video', 'mkv');
    rmSync(path.gone);
    id.missingItem = await insertItem('movie', 'Missing item', true);
    await insertFile(id.missingItem, join(library, 'Missing item', 'missing item.mkv'), 'video', 'mkv');
    id.missingFile = await insertItem('movie', 'Missing file');
    await insertFile(id.missingFile, join(library, 'Missing', 'missing.mkv'), 'video', 'mkv', { missing: true });
    id.series = await insertItem('series', 'A series');
    id.archived = await insertItem('image', 'In a zip');
    await insertFile(id.archived, join(library, 'Gallery.zip'), 'image', null, { archiveEntry: 'page1.png' });
    id.outside = await insertItem('movie', 'Outside');
    await insertFile(id.outside, '/etc/passwd', 'video', 'mkv');
    id.sneaky = await insertItem('movie', 'Sneaky');
    await insertFile(id.sneaky, `${library}/../../../etc/passwd`, 'video', 'mkv');
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await api?.close();
    await db?.drop();
    if (media) rmSync(media, { recursive: true, force: true });
  });

  describe('whole files', () => {
    it('GET sends the exact bytes with length, type, validators and Accept-Ranges', async () => {
      const res = await stream(id.mp4);
      const file = readFileSync(path.mp4);
      const stats = statSync(path.mp4);
      expect(res.status).toBe(200);
      expect(res.body.equals(file)).toBe(true);
      expect(res.headers['content-length']).toBe(String(file.length));
      expect(res.headers['content-type']).toBe('video/mp4');
      expect(res.headers['accept-ranges']).toBe('bytes');
      expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      expect(res.headers['last-modified']).toBe(new Date(Math.floor(stats.mtimeMs / 1000) * 1000).toUTCString());
      expect(res.headers['content-range']).toBeUndefined();
      expect(res.headers['content-disposition']).toBe(`inline; filename="Film (2020).mp4"; filename*=UTF-8''Film%20%282020%29.mp4`);
      expect(res.headers['x-audio-bit-depth']).toBeUndefined();
    });

    it('the Content-Type follows the container; music tells its bit depth and sample rate', async () => {
      const mkv = await stream(id.mkv);
      expect(mkv.status).toBe(200);
      expect(mkv.headers['content-type']).toBe('video/x-matroska');
      expect(mkv.body.equals(readFileSync(path.mkv))).toBe(true);

      const flac = await stream(id.flac);
      expect(flac.status).toBe(200);
      expect(flac.headers['content-type']).toBe('audio/flac');
      expect(flac.headers['x-audio-bit-depth']).toBe('24');
      expect(flac.headers['x-audio-sample-rate']).toBe('96000');
      expect(flac.body.equals(readFileSync(path.flac))).toBe(true);

      const mp3 = await stream(id.mp3);
      expect(mp3.headers['content-type']).toBe('audio/mpeg');
      expect(mp3.headers['x-audio-sample-rate']).toBe('44100');

      const png = await stream(id.png);
      expect(png.headers['content-type']).toBe('image/png');
      expect(png.body.equals(readFileSync(path.png))).toBe(true);

      // Not probed and an unknown extension: bytes all the same.
      expect((await stream(id.hundred)).headers['content-type']).toBe('application/octet-stream');
    });

    it('HEAD sends the headers of the whole file and no body, and ignores Range', async () => {
      const size = statSync(path.flac).size;
      for (const headers of [{}, { Range: 'bytes=0-9' }, { Range: 'bytes=5000000-' }] as Record<string, string>[]) {
        const res = await stream(id.flac, headers, 'HEAD');
        expect(res.status).toBe(200);
        expect(res.body.length).toBe(0);
        expect(res.headers['content-length']).toBe(String(size));
        expect(res.headers['content-range']).toBeUndefined();
        expect(res.headers['content-type']).toBe('audio/flac');
        expect(res.headers['accept-ranges']).toBe('bytes');
        expect(res.headers['x-audio-bit-depth']).toBe('24');
        expect(res.headers.etag).toBe((await stream(id.flac)).headers.etag);
      }
    });

    it('streams the first part of a multi-part item, or the part asked for', async () => {
      expect((await stream(id.parts)).body.equals(readFileSync(path.cd1))).toBe(true);
      expect((await stream(id.parts, {}, 'GET', '?part=1')).body.equals(readFileSync(path.cd1))).toBe(true);
      expect((await stream(id.parts, {}, 'GET', '?part=2')).body.equals(readFileSync(path.cd2))).toBe(true);
      const third = await stream(id.parts, {}, 'GET', '?part=3');
      expect(third.status).toBe(404);
      expect(JSON.parse(third.body.toString()).detail).toBe(`Item ${id.parts} has 2 part(s); there is no part 3`);
      for (const bad of ['0', '-1', 'abc', '1.5', '1000', '', '..%2F1']) {
        expect({ bad, status: (await stream(id.parts, {}, 'GET', `?part=${bad}`)).status }).toEqual({ bad, status: 400 });
      }
    });
  });

  describe('single ranges', () => {
    it.each([
      ['bytes=0-99', (size: number) => [0, 99, size]],
      ['bytes=100-', (size: number) => [100, size - 1, size]],
      ['bytes=-500', (size: number) => [size - 500, size - 1, size]],
      ['bytes=0-0', (size: number) => [0, 0, size]],
      ['bytes=-1', (size: number) => [size - 1, size - 1, size]],
      ['bytes=0-99999999999999999999999999', (size: number) => [0, size - 1, size]],
      ['bytes=-99999999999999999999999999', (size: number) => [0, size - 1, size]],
      ['Bytes=10-19', (size: number) => [10, 19, size]],
    ])('%s → 206 with the exact bytes, Content-Range and Content-Length', async (range, expected) => {
      const file = readFileSync(path.mp4);
      const [start, end] = expected(file.length);
      const res = await stream(id.mp4, { Range: range });
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${file.length}`);
      expect(res.headers['content-length']).toBe(String(end - start + 1));
      expect(res.headers['content-type']).toBe('video/mp4');
      expect(res.headers.etag).toBe((await stream(id.mp4)).headers.etag);
      expect(res.headers['last-modified']).toBeDefined();
      expect(res.headers['accept-ranges']).toBe('bytes');
      expect(res.body.equals(file.subarray(start, end + 1))).toBe(true);
    });

    it('a last-pos past the end is clamped', async () => {
      const file = readFileSync(path.mp4);
      const res = await stream(id.mp4, { Range: `bytes=${file.length - 10}-${file.length + 1000}` });
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${file.length - 10}-${file.length - 1}/${file.length}`);
      expect(res.body.equals(file.subarray(file.length - 10))).toBe(true);
    });

    it('every range of a 100-byte file, and unsatisfiable ones → 416 with bytes */100', async () => {
      const file = readFileSync(path.hundred);
      for (const [range, start, end] of [
        ['bytes=0-99', 0, 99],
        ['bytes=99-', 99, 99],
        ['bytes=-100', 0, 99],
        ['bytes=-101', 0, 99],
        ['bytes=50-60', 50, 60],
      ] as const) {
        const res = await stream(id.hundred, { Range: range });
        expect({ range, status: res.status, contentRange: res.headers['content-range'] }).toEqual({
          range,
          status: 206,
          contentRange: `bytes ${start}-${end}/100`,
        });
        expect(res.body.equals(file.subarray(start, end + 1))).toBe(true);
      }
      for (const range of ['bytes=500-', 'bytes=-0', 'bytes=100-', 'bytes=100-200', 'bytes=500-,-0', 'bytes=99999999999999999999999-']) {
        const res = await stream(id.hundred, { Range: range });
        expect({ range, status: res.status, contentRange: res.headers['content-range'] }).toEqual({
          range,
          status: 416,
          contentRange: 'bytes */100',
        });
        expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
        expect(JSON.parse(res.body.toString()).detail).toContain('is not satisfiable');
      }
    });

    it('an unknown unit or a malformed header gets the whole file (200)', async () => {
      const file = readFileSync(path.hundred);
      for (const range of ['items=0-5', 'bytes=5-1', 'bytes=abc', 'bytes=', 'bytes 0-5', 'bytes=0-5-9', 'bytes=0x1-2', 'bytes=,', '=0-1']) {
        const res = await stream(id.hundred, { Range: range });
        expect({ range, status: res.status }).toEqual({ range, status: 200 });
        expect(res.headers['content-range']).toBeUndefined();
        expect(res.body.equals(file)).toBe(true);
      }
    });
  });

  describe('several ranges: multipart/byteranges', () => {
    it('each part has its own Content-Type and Content-Range, in request order, bytes exact', async () => {
      const file = readFileSync(path.mp4);
      const size = file.length;
      const res = await stream(id.mp4, { Range: `bytes=1000-1999,0-9,-5,${size - 3}-${size + 50}` });
      expect(res.status).toBe(206);
      expect(res.headers['content-type']).toMatch(/^multipart\/byteranges; boundary=/);
      expect(res.headers['content-range']).toBeUndefined();
      expect(res.headers['content-length']).toBe(String(res.body.length));
      expect(res.headers.etag).toBeDefined();
      const parts = parseMultipart(res.body, res.headers['content-type']!);
      const expected = [
        [1000, 1999],
        [0, 9],
        [size - 5, size - 1],
        [size - 3, size - 1],
      ];
      expect(parts.map((part) => part.headers)).toEqual(
        expected.map(([start, end]) => ({ 'content-type': 'video/mp4', 'content-range': `bytes ${start}-${end}/${size}` })),
      );
      parts.forEach((part, index) => expect(part.data.equals(file.subarray(expected[index][0], expected[index][1] + 1))).toBe(true));
    });

    it('music parts carry the audio type; unsatisfiable ranges are left out; one left is a single part', async () => {
      const file = readFileSync(path.flac);
      const res = await stream(id.flac, { Range: `bytes=0-3,${file.length + 10}-,8-11` });
      expect(res.status).toBe(206);
      const parts = parseMultipart(res.body, res.headers['content-type']!);
      expect(parts.map((p) => [p.headers['content-type'], p.data.toString('latin1')])).toEqual([
        ['audio/flac', 'fLaC'],
        ['audio/flac', file.subarray(8, 12).toString('latin1')],
      ]);
      const single = await stream(id.flac, { Range: `bytes=0-3,${file.length + 10}-` });
      expect(single.status).toBe(206);
      expect(single.headers['content-type']).toBe('audio/flac');
      expect(single.headers['content-range']).toBe(`bytes 0-3/${file.length}`);
      expect(single.body.toString('latin1')).toBe('fLaC');
    });

    it('too many ranges, or too many overlapping ones (the Apache Killer), get a plain 200', async () => {
      const file = readFileSync(path.mp4);
      const many = `bytes=${Array.from({ length: 33 }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(',')}`;
      const killer = `bytes=0-,${Array.from({ length: 100 }, (_, i) => `5-${i + 5}`).join(',')}`;
      for (const range of [many, killer, 'bytes=0-,0-,0-,0-']) {
        const res = await stream(id.mp4, { Range: range });
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe('video/mp4');
        expect(res.headers['content-length']).toBe(String(file.length));
        expect(res.body.equals(file)).toBe(true);
      }
      // Within the caps: 32 ranges, and two overlaps.
      const allowed = await stream(id.mp4, { Range: `bytes=${Array.from({ length: 32 }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(',')}` });
      expect(allowed.status).toBe(206);
      expect(parseMultipart(allowed.body, allowed.headers['content-type']!)).toHaveLength(32);
      const overlapping = await stream(id.mp4, { Range: 'bytes=0-9,5-14,10-19' });
      expect(parseMultipart(overlapping.body, overlapping.headers['content-type']!).map((p) => p.data)).toEqual([
        file.subarray(0, 10),
        file.subarray(5, 15),
        file.subarray(10, 20),
      ]);
    });
  });

  describe('conditional requests', () => {
    it('If-None-Match and If-Modified-Since → 304 with the validators and no body', async () => {
      const first = await stream(id.mkv);
      const etag = first.headers.etag!;
      const lastModified = first.headers['last-modified']!;
      const notModified: Record<string, string>[] = [
        { 'If-None-Match': etag },
        { 'If-None-Match': `W/${etag}` },
        { 'If-None-Match': `"nope", ${etag}` },
        { 'If-None-Match': '*' },
        { 'If-Modified-Since': lastModified },
      ];
      for (const headers of notModified) {
        const res = await stream(id.mkv, headers);
        expect({ headers, status: res.status }).toEqual({ headers, status: 304 });
        expect(res.body.length).toBe(0);
        expect(res.headers.etag).toBe(etag);
        expect(res.headers['last-modified']).toBe(lastModified);
      }
      // A 304 wins over a range too.
      expect((await stream(id.mkv, { 'If-None-Match': etag, Range: 'bytes=0-1' })).status).toBe(304);
      const older = new Date(Date.parse(lastModified) - 1000).toUTCString();
      const modified: Record<string, string>[] = [
        { 'If-None-Match': '"other"' },
        { 'If-Modified-Since': older },
        { 'If-None-Match': '"other"', 'If-Modified-Since': lastModified },
      ];
      for (const headers of modified) {
        expect({ headers, status: (await stream(id.mkv, headers)).status }).toEqual({ headers, status: 200 });
      }
    });

    it('If-Match and If-Unmodified-Since → 412 when they do not hold', async () => {
      const first = await stream(id.mkv);
      const etag = first.headers.etag!;
      const lastModified = first.headers['last-modified']!;
      const older = new Date(Date.parse(lastModified) - 1000).toUTCString();
      const failing: Record<string, string>[] = [{ 'If-Match': '"other"' }, { 'If-Match': `W/${etag}` }, { 'If-Unmodified-Since': older }];
      for (const headers of failing) {
        const res = await stream(id.mkv, headers);
        expect({ headers, status: res.status }).toEqual({ headers, status: 412 });
        expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      }
      const ok = await stream(id.mkv, { 'If-Match': etag, Range: 'bytes=0-3' });
      expect(ok.status).toBe(206);
      expect(ok.body.equals(readFileSync(path.mkv).subarray(0, 4))).toBe(true);
      expect((await stream(id.mkv, { 'If-Unmodified-Since': lastModified })).status).toBe(200);
    });

    it('If-Range: the current strong ETag or exact date → 206; a stale or weak validator → the whole file', async () => {
      const file = readFileSync(path.mkv);
      const first = await stream(id.mkv);
      const etag = first.headers.etag!;
      const lastModified = first.headers['last-modified']!;
      const older = new Date(Date.parse(lastModified) - 1000).toUTCString();
      for (const validator of [etag, lastModified]) {
        const res = await stream(id.mkv, { Range: 'bytes=10-19', 'If-Range': validator });
        expect(res.status).toBe(206);
        expect(res.body.equals(file.subarray(10, 20))).toBe(true);
      }
      for (const validator of ['"stale"', `W/${etag}`, older, 'garbage']) {
        const res = await stream(id.mkv, { Range: 'bytes=10-19', 'If-Range': validator });
        expect({ validator, status: res.status }).toEqual({ validator, status: 200 });
        expect(res.body.equals(file)).toBe(true);
      }
    });

    it('a file changed since the scan streams as it is now, with new validators', async () => {
      const before = await stream(id.changing);
      const oldEtag = before.headers.etag!;
      appendFileSync(path.changing, randomBytes(777));
      const now = readFileSync(path.changing);
      const after = await stream(id.changing);
      expect(after.status).toBe(200);
      expect(after.body.equals(now)).toBe(true);
      expect(after.headers['content-length']).toBe(String(now.length));
      expect(after.headers.etag).not.toBe(oldEtag);
      // The database still has the old size; the range is served from the real file.
      const tail = await stream(id.changing, { Range: 'bytes=-777' });
      expect(tail.headers['content-range']).toBe(`bytes ${now.length - 777}-${now.length - 1}/${now.length}`);
      expect(tail.body.equals(now.subarray(now.length - 777))).toBe(true);
      expect((await stream(id.changing, { 'If-None-Match': oldEtag })).status).toBe(200);
      const stale = await stream(id.changing, { Range: 'bytes=0-9', 'If-Range': oldEtag });
      expect(stale.status).toBe(200);
      expect(stale.body.equals(now)).toBe(true);
    });
  });

  describe('what cannot be played', () => {
    it.each([
      ['missingItem', (itemId: string) => new RegExp(`^Item ${itemId} is missing from its library since `)],
      ['missingFile', (itemId: string) => new RegExp(`^The file of item ${itemId} \\(part 1\\) is missing on disk since `)],
      ['gone', (itemId: string) => new RegExp(`^The file of item ${itemId} is not on disk any more`)],
      ['series', (itemId: string) => new RegExp(`^Item ${itemId} has no file to play`)],
      ['archived', (itemId: string) => new RegExp(`^The file of item ${itemId} is an entry inside an archive`)],
      ['outside', (itemId: string) => new RegExp(`^The file of item ${itemId} is not inside its library's folders`)],
      ['sneaky', (itemId: string) => new RegExp(`^The file of item ${itemId} is not inside its library's folders`)],
    ])('%s → 404 with a clear detail', async (name, detail) => {
      for (const method of ['GET', 'HEAD']) {
        const res = await stream(id[name], {}, method);
        expect(res.status).toBe(404);
        if (method === 'GET') expect(JSON.parse(res.body.toString()).detail).toMatch(detail(id[name]));
      }
    });

    it('an item the catalogue marks missing stops streaming within a second', async () => {
      const itemId = await insertItem('movie', 'Soon missing');
      const file = join(media, 'library', 'Soon', 'soon.mkv');
      await makeVideo(file, { seconds: 1 });
      await insertFile(itemId, file, 'video', 'mkv');
      expect((await stream(itemId)).status).toBe(200);
      await sql.query(`UPDATE media_items SET "missingSince" = now() WHERE id = $1`, [itemId]);
      await waitFor(async () => ((await stream(itemId)).status === 404 ? true : undefined), 'the missing item to answer 404', 3000, 100);
    });

    it('an unknown item is 404, a malformed id 400', async () => {
      const unknown = randomUUID();
      const res = await stream(unknown);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body.toString()).detail).toBe(`Item ${unknown} not found`);
      expect((await stream('not-a-uuid')).status).toBe(400);
    });
  });

  describe('hostile input never reaches a file path', () => {
    it('traversal in the item id, encoded or not, is refused', async () => {
      for (const itemId of [
        '..%2F..%2F..%2Fetc%2Fpasswd',
        '..%5C..%5C..%5Cwindows%5Cwin.ini',
        '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
        '..%252F..%252Fetc%252Fpasswd',
        '%00',
        encodeURIComponent(path.mp4),
      ]) {
        const res = await stream(itemId);
        expect({ itemId, status: res.status }).toEqual({ itemId, status: 400 });
        expect(res.body.toString()).not.toContain('root:');
      }
    });

    it('any item id or query value: a 4xx, never a file from outside the database, never a 5xx', async () => {
      const passwd = readFileSync('/etc/passwd');
      const film = readFileSync(path.mp4);
      const hostile = fc.oneof(
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.constantFrom(
          '../../etc/passwd',
          '..\\..\\windows',
          '/etc/passwd',
          'file:/etc/passwd',
          '%2e%2e%2f',
          '..%2F',
          '..%5C',
          '\0',
          '💥',
        ),
        fc
          .array(fc.constantFrom('..', '%2e%2e', '%2F', '/', '\\', '%5C', 'etc', 'passwd', '%00'), { minLength: 1, maxLength: 8 })
          .map((parts) => parts.join('')),
      );
      await fc.assert(
        fc.asyncProperty(hostile, hostile, fc.constantFrom('part', 'st', 'path', 'file'), async (itemId, value, key) => {
          for (const url of [
            `/api/v1/stream/${encodeURIComponent(itemId)}`,
            `/api/v1/stream/${id.mp4}?${key}=${encodeURIComponent(value)}`,
            `/api/v1/stream/${encodeURIComponent(itemId)}?part=${encodeURIComponent(value)}`,
          ]) {
            const res = await request(url, { headers: bearer(user) });
            // A 200 is only ever the film's own file (e.g. ?part=1, or an ?st= beside the Bearer header).
            if (res.status === 200) expect({ url, body: res.body.equals(film) }).toEqual({ url, body: true });
            else expect({ url, status: res.status >= 400 && res.status < 500 }).toEqual({ url, status: true });
            expect(res.body.includes(passwd)).toBe(false);
          }
          // Without a header: the request lane sees it first, and a hostile token or id is never answered.
          for (const url of [
            `/api/v1/stream/${encodeURIComponent(itemId)}?st=${encodeURIComponent(value)}`,
            `/api/v1/stream/${id.mp4}?st=${encodeURIComponent(value)}`,
          ]) {
            const res = await request(url);
            expect({ url, status: res.status >= 400 && res.status < 500 }).toEqual({ url, status: true });
            expect(res.body.includes(passwd) || res.body.includes(film)).toBe(false);
          }
        }),
        { numRuns: 60 },
      );
    });
  });

  describe('auth', () => {
    it('Bearer, an API key with the stream scope, or the signed token for this item; nothing else', async () => {
      const keys = api.get(ApiKeysService);
      const { key: streamKey } = await keys.create({ id: user.id, role: 'user' }, { name: 'player', scopes: ['stream'] });
      const { key: readKey } = await keys.create({ id: user.id, role: 'user' }, { name: 'reader', scopes: ['read'] });
      const tokens = api.get(StreamTokenService);
      const token = tokens.sign(user.id, id.mp3);
      const url = `/api/v1/stream/${id.mp3}`;
      const file = readFileSync(path.mp3);

      expect((await request(url, { headers: bearer(admin) })).status).toBe(200);
      expect((await request(url, { headers: { 'X-Api-Key': streamKey } })).body.equals(file)).toBe(true);
      const byToken = await request(`${url}?st=${encodeURIComponent(token)}`, { headers: { Range: 'bytes=0-2' } });
      expect(byToken.status).toBe(206);
      expect(byToken.body.equals(file.subarray(0, 3))).toBe(true);
      expect((await request(`${url}?st=${encodeURIComponent(token)}`, { method: 'HEAD' })).status).toBe(200);

      expect((await request(url)).status).toBe(401);
      expect((await request(url, { headers: { Authorization: 'Bearer junk' } })).status).toBe(401);
      expect((await request(url, { headers: { 'X-Api-Key': readKey } })).status).toBe(403);
      expect((await request(`${url}?st=${encodeURIComponent(tokens.sign(user.id, id.mp4))}`)).status).toBe(401);
      expect((await request(`${url}?st=${encodeURIComponent(tokens.sign(user.id, id.mp3, 60, Date.now() - 3_600_000))}`)).status).toBe(401);
      expect((await request(`${url}?st=${encodeURIComponent(token.slice(0, -2))}xx`)).status).toBe(401);
      expect((await request(`${url}?st=`)).status).toBe(401);
    });

    it('an account disabled or deleted through Marquee loses its stream URLs at once; one changed in the database, within a second', async () => {
      const tokens = api.get(StreamTokenService);
      const admin$ = () => supertest(api.getHttpServer());
      const signed = (userId: string) => `/api/v1/stream/${id.mp3}?st=${encodeURIComponent(tokens.sign(userId, id.mp3))}`;

      const leaving = await createAccount(api, 'user', 'leaving');
      // Asked twice: the account is now remembered by the check of signed URLs.
      expect((await request(signed(leaving.id))).status).toBe(200);
      expect((await request(signed(leaving.id), { method: 'HEAD' })).status).toBe(200);
      await admin$().patch(`/api/v1/users/${leaving.id}`).set(bearer(admin)).send({ disabled: true }).expect(200);
      expect((await request(signed(leaving.id))).status).toBe(401);
      await admin$().patch(`/api/v1/users/${leaving.id}`).set(bearer(admin)).send({ disabled: false }).expect(200);
      expect((await request(signed(leaving.id))).status).toBe(200);

      // Behind Marquee's back (another process, a hand-written UPDATE): within STREAM_ACCOUNT_TTL_MS.
      await sql.query(`UPDATE users SET disabled = true WHERE id = $1`, [leaving.id]);
      const changedAt = Date.now();
      await waitFor(
        async () => ((await request(signed(leaving.id))).status === 401 ? true : undefined),
        'the disabled account to be refused',
      );
      expect(Date.now() - changedAt).toBeLessThan(STREAM_ACCOUNT_TTL_MS + 500);

      const gone = await createAccount(api, 'user', 'gone');
      expect((await request(signed(gone.id))).status).toBe(200);
      await admin$().delete(`/api/v1/users/${gone.id}`).set(bearer(admin)).expect(204);
      expect((await request(signed(gone.id))).status).toBe(401);
    });
  });

  describe('signed URLs: the lane ahead of Express', () => {
    /** The headers that say what a response is (not when or for which request it was made). */
    const essence = (res: RawResponse) => ({
      status: res.status,
      headers: Object.fromEntries(
        Object.entries(res.headers)
          // A problem's weak ETag is of its body, which names the request.
          .filter(([name]) => !['date', 'x-request-id', 'connection', 'keep-alive'].includes(name))
          .filter(([name]) => !(name === 'etag' && res.headers['content-type']?.startsWith(PROBLEM_CONTENT_TYPE)))
          .map(([name, value]) => [name, name === 'content-type' ? String(value).replace(/boundary=\S+/, 'boundary=…') : value]),
      ),
      body: res.headers['content-type']?.startsWith('multipart/')
        ? res.body.length
        : res.headers['content-type']?.startsWith(PROBLEM_CONTENT_TYPE)
          ? { ...JSON.parse(res.body.toString()), requestId: undefined }
          : res.body.toString('base64'),
    });

    it('answers every kind of direct-play request exactly as the full route does', async () => {
      const tokens = api.get(StreamTokenService);
      const etag = (await stream(id.hundred)).headers.etag!;
      const cases: { itemId: string; headers?: Record<string, string>; method?: string; query?: string }[] = [
        { itemId: id.hundred },
        { itemId: id.hundred, method: 'HEAD' },
        { itemId: id.hundred, headers: { Range: 'bytes=0-9' } },
        { itemId: id.hundred, headers: { Range: 'bytes=90-' } },
        { itemId: id.hundred, headers: { Range: 'bytes=-5' } },
        { itemId: id.hundred, headers: { Range: 'bytes=0-1,5-6,90-99' } },
        { itemId: id.hundred, headers: { Range: 'bytes=500-' } },
        { itemId: id.hundred, headers: { Range: 'items=0-1' } },
        { itemId: id.hundred, headers: { 'If-None-Match': etag } },
        { itemId: id.hundred, headers: { 'If-Match': '"other"' } },
        { itemId: id.hundred, headers: { Range: 'bytes=0-9', 'If-Range': '"stale"' } },
        { itemId: id.flac, headers: { Range: 'bytes=0-99' } },
        { itemId: id.parts, query: '&part=2', headers: { Range: 'bytes=0-99' } },
        { itemId: id.parts, query: '&part=3' },
        { itemId: id.gone },
        { itemId: id.missingFile },
      ];
      answeredByLane.length = 0;
      for (const { itemId, headers = {}, method = 'GET', query = '' } of cases) {
        const signed = `/api/v1/stream/${itemId}?st=${encodeURIComponent(tokens.sign(user.id, itemId))}${query}`;
        const full = await stream(itemId, headers, method, query.replace(/^&/, '?'));
        const fast = await request(signed, { method, headers });
        expect({ method, sent: headers, query, ...essence(fast) }).toEqual({ method, sent: headers, query, ...essence(full) });
      }
      // The plain successes went through the lane; the errors (416, 412, 404) were answered by the full route.
      await waitFor(async () => (answeredByLane.length >= 10 ? true : undefined), 'the lane to finish');
      expect(answeredByLane.every((url) => !url.includes(id.gone) && !url.includes(id.missingFile) && !url.includes('part=3'))).toBe(true);
    });

    it('passes anything but the plain signed shape on to the full route, and never lets a bad token through', async () => {
      const tokens = api.get(StreamTokenService);
      const token = encodeURIComponent(tokens.sign(user.id, id.hundred));
      answeredByLane.length = 0;
      // Another item's token, an expired one, a forged one: 401 from the full route.
      for (const st of [
        tokens.sign(user.id, id.mp4),
        tokens.sign(user.id, id.hundred, 60, Date.now() - 3_600_000),
        `${token.slice(0, -3)}abc`,
      ])
        expect((await request(`/api/v1/stream/${id.hundred}?st=${encodeURIComponent(st)}`)).status).toBe(401);
      // Extra or repeated parameters, a Bearer header beside the token: the full route decides.
      expect((await request(`/api/v1/stream/${id.hundred}?st=${token}&st=${token}`)).status).toBe(401);
      expect((await request(`/api/v1/stream/${id.hundred}?st=${token}&part=0`)).status).toBe(400);
      expect((await request(`/api/v1/stream/${id.hundred}?st=${token}`, { headers: bearer(admin) })).status).toBe(200);
      expect(answeredByLane).toEqual([]);
      expect((await request(`/api/v1/stream/${id.hundred}?st=${token}`)).status).toBe(200);
      // Recorded once the lane is done (it closes the file after the client has the response).
      await waitFor(async () => (answeredByLane.length === 1 ? true : undefined), 'the lane to finish');
    });
  });

  describe('files, descriptors and memory', () => {
    /** Starts a GET of the big file and resolves once its first bytes arrived; the response is left paused. */
    const startPaused = (headers: Record<string, string> = {}) =>
      new Promise<{ req: http.ClientRequest; res: http.IncomingMessage; first: Buffer }>((resolve, reject) => {
        const req = http.get(
          { host: '127.0.0.1', port, path: `/api/v1/stream/${id.big}`, headers: { ...bearer(user), ...headers }, agent: false },
          (res) => {
            res.once('data', (first: Buffer) => {
              res.pause();
              resolve({ req, res, first });
            });
            res.once('error', reject);
          },
        );
        req.on('error', reject);
      });

    it('a client that goes away mid-file closes the file descriptor', async () => {
      expect(openDescriptors(path.big)).toBe(0);
      const { req, res } = await startPaused();
      expect(res.statusCode).toBe(200);
      await waitFor(async () => (openDescriptors(path.big) === 1 ? true : undefined), 'the file to be open while it is sent');
      req.destroy();
      await waitFor(
        async () => (openDescriptors(path.big) === 0 ? true : undefined),
        'the descriptor to be closed after the abort',
        10_000,
      );

      const ranged = await startPaused({ Range: 'bytes=1000-,0-99,-10' });
      expect(ranged.res.statusCode).toBe(206);
      expect(openDescriptors(path.big)).toBe(1);
      ranged.req.destroy();
      await waitFor(
        async () => (openDescriptors(path.big) === 0 ? true : undefined),
        'the descriptor to be closed after a multipart abort',
        10_000,
      );
    });

    it('100 concurrent slow clients: memory stays flat (backpressure), and going away closes every file', async () => {
      const clients = 100;
      const baseline = process.memoryUsage();
      const settled = await Promise.allSettled(Array.from({ length: clients }, () => startPaused()));
      const started = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      try {
        expect(started).toHaveLength(clients);
        // Let every response run into its backpressure.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const during = process.memoryUsage();
        expect(openDescriptors(path.big)).toBe(clients);
        const grownMiB = (during.rss - baseline.rss) / 2 ** 20;
        const buffersMiB = (during.arrayBuffers - baseline.arrayBuffers) / 2 ** 20;
        // Without backpressure each response would read its 64 MiB, less what the kernel's socket buffers
        // take, into memory: gigabytes in all. With it, each holds one 256 KiB chunk.
        expect({ grownMiB: Math.round(grownMiB), buffersMiB: Math.round(buffersMiB), flat: grownMiB < 160 && buffersMiB < 96 }).toEqual({
          grownMiB: Math.round(grownMiB),
          buffersMiB: Math.round(buffersMiB),
          flat: true,
        });
      } finally {
        for (const { req } of started) req.destroy();
      }
      await waitFor(async () => (openDescriptors(path.big) === 0 ? true : undefined), 'every descriptor to be closed', 20_000);
    }, 120_000);

    it('100 concurrent clients each get exactly their own range', async () => {
      const file = readFileSync(path.big);
      const ranges = Array.from({ length: 100 }, (_, i) => [i * 600_000 + i, i * 600_000 + i + 1024 * 1024 - 1]);
      const responses = await Promise.all(ranges.map(([start, end]) => stream(id.big, { Range: `bytes=${start}-${end}` })));
      responses.forEach((res, i) => {
        const [start, end] = ranges[i];
        expect({ i, status: res.status, range: res.headers['content-range'] }).toEqual({
          i,
          status: 206,
          range: `bytes ${start}-${end}/${BIG_FILE_BYTES}`,
        });
        expect(res.body.equals(file.subarray(start, end + 1))).toBe(true);
      });
      await waitFor(async () => (openDescriptors(path.big) === 0 ? true : undefined), 'every descriptor to be closed');
    }, 120_000);
  });
});
