import { createHash, type Hash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PROBLEM_CONTENT_TYPE } from '@marquee/contracts';
import type { AppConfig } from '../../libs/core/src/index.js';
import pg from 'pg';
import request from 'supertest';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { makeFlac, makeImage, makeMp3, makeVideo, makeZip } from '../helpers/media-fixtures.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MiB = 1024 * 1024;

type Part = { name: string; value: string } | { name: string; filename: string; data: Buffer; contentType?: string };

/** A multipart/form-data body built by hand, so file names reach the server exactly as written. */
function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----marquee-test-${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let header = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if ('filename' in part) header += `; filename="${part.filename}"\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}`;
    chunks.push(
      Buffer.from(`${header}\r\n\r\n`, 'utf8'),
      'filename' in part ? part.data : Buffer.from(part.value, 'utf8'),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every file and folder below `root`, relative and sorted. */
async function tree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.map((entry) => entry.toString()).sort();
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** A Matroska head (EBML magic) padded to `size` bytes: valid for the sniff, cheap to make at any size. */
const mkvLike = (size: number) =>
  Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]), Buffer.alloc(size - 9, 7)]);

describe('library uploads (POST libraries/:id/upload)', () => {
  let db: ScratchDatabase;
  let config: AppConfig;
  let client: pg.Client;
  let api: NestExpressApplication;
  let replica: NestExpressApplication | undefined;
  let admin: TestAccount;
  let user: TestAccount;
  let http_: ReturnType<typeof request>;
  let port: number;
  /** Holds the library folders and an "outside" folder nothing may ever be written to. */
  let root: string;
  let films: string;
  let outside: string;
  let library: { id: string };
  let fixtures: string;
  let mp4: Buffer;
  let mkv: Buffer;

  beforeAll(async () => {
    db = await createScratchDatabase();
    config = testConfig({ env: { DATABASE_URL: db.url } });
    api = await startApi(config);
    ({ admin, user } = await seedAccounts(api));
    http_ = request(api.getHttpServer());
    port = (api.getHttpServer().address() as AddressInfo).port;
    client = new pg.Client({ connectionString: db.url });
    await client.connect();

    root = await realpath(await mkdtemp(join(tmpdir(), 'marquee-uploads-')));
    films = join(root, 'films');
    outside = join(root, 'outside');
    await mkdir(films);
    await mkdir(outside);
    await writeFile(join(outside, 'keep.txt'), 'outside the library');
    library = (
      await http_
        .post('/api/v1/libraries')
        .set(bearer(admin))
        .send({ name: 'Films', kind: 'movies', folders: [films] })
        .expect(201)
    ).body;

    fixtures = await mkdtemp(join(tmpdir(), 'marquee-upload-fixtures-'));
    await makeVideo(join(fixtures, 'clip.mp4'), { seconds: 1, width: 160, height: 120, container: 'mp4', audio: false });
    await makeVideo(join(fixtures, 'clip.mkv'), { seconds: 1, width: 160, height: 120, container: 'mkv', audio: false });
    mp4 = await readFile(join(fixtures, 'clip.mp4'));
    mkv = await readFile(join(fixtures, 'clip.mkv'));
  });

  afterAll(async () => {
    await client?.end();
    await replica?.close();
    await api?.close();
    await db?.drop();
    if (root) await rm(root, { recursive: true, force: true });
    if (fixtures) await rm(fixtures, { recursive: true, force: true });
  });

  const upload = (parts: Part[], options: { libraryId?: string; account?: TestAccount | null } = {}) => {
    const { body, contentType } = multipart(parts);
    const req = http_.post(`/api/v1/libraries/${options.libraryId ?? library.id}/upload`).set('Content-Type', contentType);
    if (options.account !== null) req.set(bearer(options.account ?? admin));
    return req.send(body);
  };
  const file = (filename: string, data: Buffer): Part => ({ name: 'file', filename, data });

  const scanJob = async (id: string) => {
    const { rows } = await client.query(
      `SELECT queue, name, state, "targetType", "targetId", "targetLabel", payload, priority FROM job_runs WHERE id = $1`,
      [id],
    );
    return rows[0] as Record<string, unknown> | undefined;
  };

  const expectProblem = (res: request.Response, status: number, detail: string | RegExp) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(res.body.status).toBe(status);
    if (typeof detail === 'string') expect(res.body.detail).toBe(detail);
    else expect(res.body.detail).toMatch(detail);
  };

  it('stores a generated mp4 byte for byte and queues a partial scan of exactly that file', async () => {
    const res = await upload([file('Alien (1979).mp4', mp4)]).expect(201);
    expect(res.body).toEqual({ path: 'Alien (1979).mp4', size: mp4.length, scanJobId: expect.stringMatching(UUID) });
    const stored = join(films, 'Alien (1979).mp4');
    expect(sha256(await readFile(stored))).toBe(sha256(mp4));
    expect(await scanJob(res.body.scanJobId)).toEqual({
      queue: 'library-scan',
      name: 'scan',
      state: 'queued',
      targetType: 'library',
      targetId: library.id,
      targetLabel: 'Films (1 path)',
      payload: { libraryId: library.id, paths: [stored] },
      priority: 1,
    });
    // No temp file was left beside it.
    expect((await readdir(films)).filter((name) => name.endsWith('.uploading'))).toEqual([]);
  });

  it('creates the sub-folder given in "folder" (mkdir -p) and answers the path relative to the library folder', async () => {
    const res = await upload([{ name: 'folder', value: 'Movies/Alien (1979)' }, file('Alien (1979).mkv', mkv)]).expect(201);
    expect(res.body.path).toBe('Movies/Alien (1979)/Alien (1979).mkv');
    const stored = join(films, 'Movies', 'Alien (1979)', 'Alien (1979).mkv');
    expect(sha256(await readFile(stored))).toBe(sha256(mkv));
    expect((await scanJob(res.body.scanJobId))?.payload).toEqual({ libraryId: library.id, paths: [stored] });
    // Into an existing folder, with a folder segment sanitised like a file name.
    const again = await upload([{ name: 'folder', value: 'Movies\\Alien: Covenant (2017)' }, file('Alien Covenant.mkv', mkv)]).expect(201);
    expect(again.body.path).toBe('Movies/Alien Covenant (2017)/Alien Covenant.mkv');
  });

  it('keeps names with spaces and non-Latin characters (NFC)', async () => {
    for (const [sent, kept] of [
      ['東京物語 (1953).mkv', '東京物語 (1953).mkv'],
      ['Ame\u0301lie (2001).mkv', 'Am\u00e9lie (2001).mkv'],
      ['My  Film  -  Part 2.mkv', 'My  Film  -  Part 2.mkv'],
    ]) {
      const res = await upload([file(sent, mkv)]).expect(201);
      expect(res.body.path).toBe(kept);
      expect(sha256(await readFile(join(films, kept)))).toBe(sha256(mkv));
    }
  });

  it('reduces traversal names to a safe base name inside the folder; nothing is written outside', async () => {
    const before = await tree(root);
    const first = await upload([file('../../etc/passwd.mkv', mkv)]).expect(201);
    expect(first.body.path).toBe('passwd.mkv');
    const second = await upload([file('..\\x.mkv', mkv)]).expect(201);
    expect(second.body.path).toBe('x.mkv');
    const third = await upload([file('../../outside/evil.mkv', mkv)]).expect(201);
    expect(third.body.path).toBe('evil.mkv');
    expect(await tree(root)).toEqual([...before, 'films/passwd.mkv', 'films/x.mkv', 'films/evil.mkv'].sort());
    expect(await readdir(outside)).toEqual(['keep.txt']);
    // A name with nothing usable left is refused.
    expectProblem(await upload([file('../..', mkv)]), 400, 'The file name "../.." has no usable characters');
  });

  it('refuses a folder with "..", an absolute folder, or control characters (400), writing nothing', async () => {
    const before = await tree(root);
    expectProblem(
      await upload([{ name: 'folder', value: '../outside' }, file('a.mkv', mkv)]),
      400,
      '"folder" must not contain ".." (got "../outside")',
    );
    expectProblem(await upload([{ name: 'folder', value: 'Movies/../../outside' }, file('a.mkv', mkv)]), 400, /must not contain "\.\."/);
    expectProblem(
      await upload([{ name: 'folder', value: outside }, file('a.mkv', mkv)]),
      400,
      `"folder" must be relative to the library folder (got "${outside}")`,
    );
    expectProblem(
      await upload([{ name: 'folder', value: 'a\tb' }, file('a.mkv', mkv)]),
      400,
      '"folder" must not contain control characters',
    );
    expect(await tree(root)).toEqual(before);
  });

  it('refuses a sub-folder that is a symlink leading outside (400) and creates nothing through it', async () => {
    await symlink(outside, join(films, 'escape'));
    const before = await tree(root);
    expectProblem(
      await upload([{ name: 'folder', value: 'escape' }, file('a.mkv', mkv)]),
      400,
      '"escape" leads outside the library folder (a symlink); upload elsewhere',
    );
    expectProblem(await upload([{ name: 'folder', value: 'escape/new/deeper' }, file('a.mkv', mkv)]), 400, /"escape" leads outside/);
    expect(await tree(root)).toEqual(before);
    expect(await readdir(outside)).toEqual(['keep.txt']);
    // A symlink that stays inside the library is fine.
    await mkdir(join(films, 'Real'));
    await symlink(join(films, 'Real'), join(films, 'Alias'));
    const res = await upload([{ name: 'folder', value: 'Alias' }, file('linked.mkv', mkv)]).expect(201);
    expect(res.body.path).toBe('Real/linked.mkv');
    expect(await exists(join(films, 'Real', 'linked.mkv'))).toBe(true);
  });

  it('never overwrites: the same name again is 409 and the first file is unchanged', async () => {
    await upload([file('Twice.mkv', mkv)]).expect(201);
    const other = mkvLike(10_000);
    expectProblem(await upload([file('Twice.mkv', other)]), 409, '"Twice.mkv" already exists in the library; it is never overwritten');
    expect(sha256(await readFile(join(films, 'Twice.mkv')))).toBe(sha256(mkv));
    expect((await readdir(films)).filter((name) => name.includes('Twice'))).toEqual(['Twice.mkv']);
  });

  it('two concurrent uploads of one name: exactly one wins, the file is the winner’s', async () => {
    const a = mkvLike(3 * MiB);
    const b = Buffer.concat([mkvLike(16), Buffer.alloc(3 * MiB, 9)]);
    const [resA, resB] = await Promise.all([upload([file('Race.mkv', a)]), upload([file('Race.mkv', b)])]);
    expect([resA.status, resB.status].sort()).toEqual([201, 409]);
    const winner = resA.status === 201 ? a : b;
    expect(sha256(await readFile(join(films, 'Race.mkv')))).toBe(sha256(winner));
    expect((await readdir(films)).filter((name) => name.includes('Race'))).toEqual(['Race.mkv']);
  });

  it('refuses content that does not match the extension, and types that are not media (415)', async () => {
    const before = await tree(root);
    expectProblem(
      await upload([file('notes.mkv', Buffer.from('these are my notes, not a film\n'))]),
      415,
      'The content of "notes.mkv" does not match its extension: a .mkv must be a Matroska/WebM file, but this looks like text',
    );
    expectProblem(
      await upload([file('clip.mp4', mkv)]),
      415,
      'The content of "clip.mp4" does not match its extension: a .mp4 must be an MP4/ISO media file, but this looks like a Matroska/WebM file',
    );
    expectProblem(
      await upload([file('tool.exe', Buffer.from('MZ\x90\x00'))]),
      415,
      /^Files of type "\.exe" cannot be uploaded \("tool\.exe"\); allowed: mkv, /,
    );
    expectProblem(await upload([file('README', Buffer.from('hello'))]), 415, /^"README" has no extension/);
    expect(await tree(root)).toEqual(before);
  });

  it('accepts the other media a library holds: FLAC, MP3, images, a cbz, subtitles, an NFO', async () => {
    const dir = join(fixtures, 'more');
    await makeFlac(join(dir, 'track.flac'), { tags: { title: 'Track' } });
    await makeMp3(join(dir, 'track.mp3'));
    await makeImage(join(dir, 'poster.jpg'));
    await makeImage(join(dir, 'fanart.png'), { format: 'png' });
    await makeImage(join(dir, 'thumb.webp'), { format: 'webp' });
    await makeImage(join(dir, 'page.jpg'), { color: '#aa0000' });
    await makeZip(join(dir, 'comic.cbz'), { '01.jpg': await readFile(join(dir, 'page.jpg')) });
    await writeFile(join(dir, 'Alien (1979).en.srt'), '1\n00:00:00,000 --> 00:00:01,000\nIn space…\n');
    await writeFile(join(dir, 'Alien (1979).nfo'), '<movie><title>Alien</title><year>1979</year></movie>');
    for (const name of [
      'track.flac',
      'track.mp3',
      'poster.jpg',
      'fanart.png',
      'thumb.webp',
      'comic.cbz',
      'Alien (1979).en.srt',
      'Alien (1979).nfo',
    ]) {
      const data = await readFile(join(dir, name));
      const res = await upload([{ name: 'folder', value: 'More' }, file(name, data)]);
      expect([name, res.status]).toEqual([name, 201]);
      expect(res.body).toEqual({ path: `More/${name}`, size: data.length, scanJobId: expect.stringMatching(UUID) });
      expect(sha256(await readFile(join(films, 'More', name)))).toBe(sha256(data));
    }
  });

  it('413 past MARQUEE_UPLOAD_MAX_BYTES, with the partial temp file removed', async () => {
    const previous = process.env.MARQUEE_UPLOAD_MAX_BYTES;
    process.env.MARQUEE_UPLOAD_MAX_BYTES = '8192';
    try {
      const before = await tree(root);
      // Streamed past the limit: refused while writing.
      expectProblem(
        await upload([file('Big.mkv', mkvLike(256 * 1024))]),
        413,
        'The file is larger than the upload limit of 8192 bytes (MARQUEE_UPLOAD_MAX_BYTES)',
      );
      // Declared far beyond the limit: refused before reading the body.
      expectProblem(await upload([file('Huge.mkv', mkvLike(3 * MiB))]), 413, /larger than the upload limit of 8192 bytes/);
      expect(await tree(root)).toEqual(before);
      // Exactly at the limit is fine.
      const res = await upload([file('Exact.mkv', mkvLike(8192))]).expect(201);
      expect(res.body.size).toBe(8192);
    } finally {
      if (previous === undefined) delete process.env.MARQUEE_UPLOAD_MAX_BYTES;
      else process.env.MARQUEE_UPLOAD_MAX_BYTES = previous;
    }
  });

  it('only administrators: a user gets 403, no credentials 401, and nothing is written', async () => {
    const before = await tree(root);
    expectProblem(await upload([file('user.mkv', mkv)], { account: user }), 403, 'This needs an administrator');
    const anonymous = await upload([file('anon.mkv', mkv)], { account: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(await tree(root)).toEqual(before);
  });

  it('refuses malformed requests: no file, two files, a non-multipart body, unknown fields, fields after the file', async () => {
    const before = await tree(root);
    expectProblem(await upload([{ name: 'folder', value: 'x' }]), 400, 'The upload has no "file" part');
    expectProblem(
      await upload([file('one.mkv', mkv), file('two.mkv', mkv)]),
      400,
      'Send one file per upload (the body has more than one file part)',
    );
    expectProblem(
      await upload([{ name: 'attachment', filename: 'one.mkv', data: mkv }]),
      400,
      'Unexpected file part "attachment": send the file as "file"',
    );
    expectProblem(
      await upload([{ name: 'overwrite', value: 'true' }, file('one.mkv', mkv)]),
      400,
      'Unknown field "overwrite"; an upload has "file" and optionally "folder" or "folderIndex"',
    );
    expectProblem(
      await upload([file('late.mkv', mkv), { name: 'folder', value: 'Later' }]),
      400,
      '"folder" came after the file: send "folder" and "folderIndex" before the "file" part',
    );
    expectProblem(
      await http_.post(`/api/v1/libraries/${library.id}/upload`).set(bearer(admin)).send({ file: 'x' }),
      415,
      'Uploads are multipart/form-data with the file in a "file" part (got "application/json")',
    );
    expectProblem(
      await http_.post(`/api/v1/libraries/${library.id}/upload`).set(bearer(admin)).set('Content-Type', 'multipart/form-data').send('x'),
      400,
      /^Malformed multipart request/,
    );
    expect(await tree(root)).toEqual(before);
  });

  it('404 for an unknown library, 400 for an id that is not a UUID', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expectProblem(await upload([file('a.mkv', mkv)], { libraryId: unknown }), 404, `Library ${unknown} not found`);
    expect((await upload([file('a.mkv', mkv)], { libraryId: 'not-a-uuid' })).status).toBe(400);
  });

  it('"folderIndex" picks another folder of the library', async () => {
    const first = join(root, 'music-a');
    const second = join(root, 'music-b');
    await mkdir(first);
    await mkdir(second);
    const music = (
      await http_
        .post('/api/v1/libraries')
        .set(bearer(admin))
        .send({ name: 'Music', kind: 'music', folders: [first, second] })
        .expect(201)
    ).body;
    const flac = await readFile(join(fixtures, 'more', 'track.flac'));
    const res = await upload(
      [{ name: 'folderIndex', value: '1' }, { name: 'folder', value: 'Artist/Album' }, file('01 Track.flac', flac)],
      {
        libraryId: music.id,
      },
    ).expect(201);
    expect(res.body.path).toBe('Artist/Album/01 Track.flac');
    const stored = join(second, 'Artist', 'Album', '01 Track.flac');
    expect(sha256(await readFile(stored))).toBe(sha256(flac));
    expect((await scanJob(res.body.scanJobId))?.payload).toEqual({ libraryId: music.id, paths: [stored] });
    expectProblem(
      await upload([{ name: 'folderIndex', value: '2' }, file('x.flac', flac)], { libraryId: music.id }),
      400,
      '"folderIndex" must be an integer from 0 to 1 (the library has 2 folders; got "2")',
    );
  });

  /** Sends a multipart upload whose file data comes from `chunks`, through a raw http.request. */
  function rawUpload(filename: string, fileBytes: number, chunks: AsyncIterable<Buffer>, toPort = port) {
    const boundary = `----marquee-raw-${randomBytes(6).toString('hex')}`;
    const preamble = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`);
    const req = http.request({
      host: '127.0.0.1',
      port: toPort,
      method: 'POST',
      path: `/api/v1/libraries/${library.id}/upload`,
      headers: {
        ...bearer(admin),
        'Content-Type': `multipart/form-data; boundary=${boundary}`,
        'Content-Length': String(preamble.length + fileBytes + epilogue.length),
      },
    });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    response.catch(() => undefined);
    async function* body() {
      yield preamble;
      yield* chunks;
      yield epilogue;
    }
    return { req, response, start: () => Readable.from(body()).pipe(req) };
  }

  it('two api replicas receiving one name at once: the exclusive link lets exactly one win', async () => {
    // Kept running until the end: passport's strategies are process-wide, so the last api started
    // authenticates for every api in this process and must outlive the requests.
    replica = await startApi(config);
    const replicaPort = (replica.getHttpServer().address() as AddressInfo).port;
    const contents = [mkvLike(2 * MiB), Buffer.concat([mkvLike(64), Buffer.alloc(2 * MiB - 64, 9)])];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // Both bodies stop halfway until both replicas have a temp file, i.e. both passed the "exists?" check.
    const uploads = contents.map((content, index) => {
      async function* chunks() {
        yield content.subarray(0, MiB);
        await gate;
        yield content.subarray(MiB);
      }
      return rawUpload('Replica.mkv', content.length, chunks(), index === 0 ? port : replicaPort);
    });
    for (const { start } of uploads) start();
    await waitFor(
      async () => ((await readdir(films)).filter((name) => name.startsWith('.Replica.mkv.')).length === 2 ? true : undefined),
      'two temp files',
    );
    open();
    const results = await Promise.all(uploads.map(({ response }) => response));
    expect(results.map((result) => result.status).sort()).toEqual([201, 409]);
    const loser = results.find((result) => result.status === 409)!;
    expect(JSON.parse(loser.body).detail).toBe('"Replica.mkv" already exists in the library; it is never overwritten');
    const winner = contents[results.findIndex((result) => result.status === 201)];
    expect(sha256(await readFile(join(films, 'Replica.mkv')))).toBe(sha256(winner));
    expect((await readdir(films)).filter((name) => name.includes('Replica'))).toEqual(['Replica.mkv']);
  });

  it('a client that aborts mid-upload leaves nothing behind', async () => {
    const before = await tree(root);
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    async function* chunks() {
      yield mkvLike(MiB);
      // Hold the rest back, as a slow client would, until the test pulls the plug.
      await stalled;
    }
    const { req, start } = rawUpload('Aborted.mkv', 20 * MiB, chunks());
    req.on('error', () => undefined);
    start();
    await waitFor(
      async () =>
        (await readdir(films)).some((name) => name.startsWith('.Aborted.mkv.') && name.endsWith('.uploading')) ? true : undefined,
      'the temp file',
    );
    req.destroy();
    release();
    await waitFor(
      async () => ((await tree(root)).join('\n') === before.join('\n') ? true : undefined),
      'the temp file to be removed',
      10_000,
    );
    expect(await exists(join(films, 'Aborted.mkv'))).toBe(false);
  });

  it('an upload that stalls longer than MARQUEE_UPLOAD_IDLE_SECONDS is dropped with 408, leaving nothing behind', async () => {
    const previous = process.env.MARQUEE_UPLOAD_IDLE_SECONDS;
    process.env.MARQUEE_UPLOAD_IDLE_SECONDS = '1';
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    try {
      const before = await tree(root);
      async function* chunks() {
        yield mkvLike(MiB);
        // Then nothing, as a client whose network went away without closing the connection.
        await stalled;
      }
      const { req, start, response } = rawUpload('Stalled.mkv', 20 * MiB, chunks());
      req.on('error', () => undefined);
      const startedAt = Date.now();
      start();
      const answer = await response;
      expect(answer.status).toBe(408);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 408, detail: 'The upload sent nothing for 1 s and was dropped' });
      expect(Date.now() - startedAt).toBeLessThan(10_000);
      await waitFor(async () => ((await tree(root)).join('\n') === before.join('\n') ? true : undefined), 'the temp file to go', 10_000);
      expect(await exists(join(films, 'Stalled.mkv'))).toBe(false);
      req.destroy();
    } finally {
      release();
      if (previous === undefined) delete process.env.MARQUEE_UPLOAD_IDLE_SECONDS;
      else process.env.MARQUEE_UPLOAD_IDLE_SECONDS = previous;
    }
  });

  it('a 200 MB upload is streamed: the api process RSS grows by less than 50 MB', async () => {
    const size = 200 * MiB;
    const chunk = Buffer.alloc(MiB, 0);
    const head = Buffer.concat([mp4.subarray(0, 64 * 1024)]);
    async function* chunks(total: number, hash: Hash) {
      hash.update(head);
      yield head;
      for (let sent = head.length; sent < total;) {
        const piece = total - sent >= chunk.length ? chunk : chunk.subarray(0, total - sent);
        hash.update(piece);
        sent += piece.length;
        yield piece;
      }
    }
    // A first, smaller upload through the same path, so that what is allocated once (parsers, stream
    // and socket buffers) is in the baseline: what is measured is the growth with the file's size.
    const warmUp = rawUpload('Warm-up.mp4', 16 * MiB, chunks(16 * MiB, createHash('sha256')));
    warmUp.start();
    expect((await warmUp.response).status).toBe(201);
    await rm(join(films, 'Warm-up.mp4'));
    const hash = createHash('sha256');
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const { response, start } = rawUpload('Large.mp4', size, chunks(size, hash));
      start();
      const { status, body } = await response;
      expect(status).toBe(201);
      expect(JSON.parse(body)).toEqual({ path: 'Large.mp4', size, scanJobId: expect.stringMatching(UUID) });
    } finally {
      clearInterval(sampler);
    }
    const rssAfter = process.memoryUsage().rss;
    peak = Math.max(peak, rssAfter);
    expect(peak - rssBefore).toBeLessThan(50 * MiB);
    expect(rssAfter - rssBefore).toBeLessThan(50 * MiB);
    expect(await sha256File(join(films, 'Large.mp4'))).toBe(hash.digest('hex'));
    await rm(join(films, 'Large.mp4'));
  });

  it('the library folder holds no temp files after all of the above', async () => {
    const leftovers = (await tree(root)).filter((path) => path.endsWith('.uploading'));
    expect(leftovers).toEqual([]);
    expect(relative(root, films)).toBe('films');
  });
});
