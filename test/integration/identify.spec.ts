import { mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IdentifyResponse, ItemDetail } from '@marquee/contracts';
import pg from 'pg';
import sharp from 'sharp';
import request from 'supertest';
import type { AppConfig } from '../../libs/core/src/index.js';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { makeFlac } from '../helpers/media-fixtures.js';
import {
  type MetadataServer,
  OVERSIZED_PICTURE_BYTES,
  PIXEL_BOMB_SIZE,
  startMetadataServer,
  WIDE_PICTURE,
} from '../helpers/metadata-server.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';
import { copyExample, EXAMPLES, folderEntries, writePlugin, zipEntries } from './plugins-packages.js';

const NFO = `<?xml version="1.0" encoding="UTF-8"?>
<movie>
  <title>Alien</title>
  <year>1979</year>
  <plot>The crew of the Nostromo answers a distress call.</plot>
  <genre>Horror</genre>
  <genre>Science Fiction</genre>
  <studio>20th Century Fox</studio>
  <actor><name>Sigourney Weaver</name><role>Ripley</role></actor>
  <director>Ridley Scott</director>
  <uniqueid type="imdb">tt0078748</uniqueid>
</movie>`;

const CATALOGUE = 'org.marquee.example-catalogue';
const HTTP_CATALOGUE = 'org.marquee.example-http-catalogue';
const HTTP_SCRAPER = `http:${HTTP_CATALOGUE}/movies.scraper.json`;

interface ImportRun {
  state: string;
  error: string | null;
  result: { scraper: string; changed: string[]; keptLocked: string[]; artwork: { kind: string; stored: boolean; error?: string }[] };
}

describe('identify and apply-scrape', () => {
  let db: ScratchDatabase;
  let config: AppConfig;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let admin: TestAccount;
  let user: TestAccount;
  let sql: pg.Client;
  let server: MetadataServer;
  let media: string;
  let libraryId: string;
  const id: Record<string, string> = {};

  const http = () => request(api.getHttpServer());
  const identify = (itemId: string, body: object = {}, account = admin) =>
    http().post(`/api/v1/items/${itemId}/identify`).set(bearer(account)).send(body);
  const item = async (itemId: string) => (await http().get(`/api/v1/items/${itemId}`).set(bearer(admin)).expect(200)).body as ItemDetail;
  const setPolicy = (allowPrivateNetworks: boolean) =>
    http().patch('/api/v1/plugins/network-policy').set(bearer(admin)).send({ allowPrivateNetworks }).expect(200);

  async function finished(jobId: string): Promise<ImportRun> {
    return waitFor(
      async () => {
        const [run] = (await sql.query(`SELECT state, result, error FROM job_runs WHERE id = $1`, [jobId])).rows;
        return run && ['completed', 'failed', 'cancelled'].includes(run.state) ? run : undefined;
      },
      `job ${jobId} to finish`,
      40_000,
    );
  }

  const jobLogs = async (jobId: string) =>
    (await sql.query(`SELECT message FROM job_logs WHERE "jobId" = $1`, [jobId])).rows.map((row) => row.message as string);
  const artworkRows = async (itemId: string) =>
    (
      await sql.query(`SELECT kind, path, width, height, version, "updatedAt" FROM item_artwork WHERE "itemId" = $1 ORDER BY kind`, [
        itemId,
      ])
    ).rows;

  async function apply(itemId: string, body: object): Promise<ImportRun & { jobId: string }> {
    const res = await http().post(`/api/v1/items/${itemId}/apply-scrape`).set(bearer(admin)).send(body).expect(202);
    expect(res.body).toEqual({ jobId: expect.any(String), deduplicated: false });
    return { ...(await finished(res.body.jobId)), jobId: res.body.jobId };
  }

  async function addItem(type: string, title: string, file?: { path: string; category: string }): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO media_items ("libraryId", type, title) VALUES ($1, $2, $3) RETURNING id`,
      [libraryId, type, title],
    );
    if (file) {
      await sql.query(
        `INSERT INTO media_files ("itemId", "libraryId", path, folder, category, size, mtime) VALUES ($1, $2, $3, $4, $5, 1, now())`,
        [rows[0].id, libraryId, file.path, join(file.path, '..'), file.category],
      );
    }
    return rows[0].id;
  }

  beforeAll(async () => {
    server = await startMetadataServer();
    db = await createScratchDatabase();
    config = testConfig({ env: { DATABASE_URL: db.url } });
    api = await startApi(config);
    worker = await startWorker(config);
    ({ admin, user } = await seedAccounts(api));
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();

    media = mkdtempSync(join(tmpdir(), 'marquee-identify-media-'));
    const films = join(media, 'library');
    mkdirSync(join(films, 'Alien (1979)'), { recursive: true });
    writeFileSync(join(films, 'Alien (1979)', 'Alien (1979).mkv'), 'not really a film');
    writeFileSync(join(films, 'Alien (1979)', 'movie.nfo'), NFO);
    mkdirSync(join(films, 'Alien (1979) [Director]'), { recursive: true });
    writeFileSync(join(films, 'Alien (1979) [Director]', 'Alien (1979).mkv'), 'another cut');
    writeFileSync(join(films, 'Alien (1979) [Director]', 'movie.nfo'), NFO);
    mkdirSync(join(films, 'Blade.Runner.1982.1080p.BluRay'), { recursive: true });
    writeFileSync(join(films, 'Blade.Runner.1982.1080p.BluRay', 'Blade.Runner.1982.1080p.BluRay.x264.mkv'), 'x');
    await makeFlac(join(films, 'Music', 'Artist', 'Album', '01 - Song.flac'), {
      tags: { title: 'Song of Tags', artist: 'The Artist', album: 'Tagged Album', date: '1999-04-01', genre: 'Ambient' },
    });
    ({
      rows: [{ id: libraryId }],
    } = await sql.query(`INSERT INTO libraries (name, kind, folders) VALUES ('Mixed', 'mixed', $1) RETURNING id`, [[films]]));
    id.alien = await addItem('movie', 'Alien (1979)', { path: join(films, 'Alien (1979)', 'Alien (1979).mkv'), category: 'video' });
    id.blade = await addItem('movie', 'Blade.Runner.1982', {
      path: join(films, 'Blade.Runner.1982.1080p.BluRay', 'Blade.Runner.1982.1080p.BluRay.x264.mkv'),
      category: 'video',
    });
    id.track = await addItem('track', '01 - Song', { path: join(films, 'Music', 'Artist', 'Album', '01 - Song.flac'), category: 'audio' });
    id.gallery = await addItem('gallery', 'Holiday');
    id.pictures = await addItem('movie', 'Pixel Flood');
    id.locked = await addItem('movie', 'Alien (1979)', {
      path: join(films, 'Alien (1979) [Director]', 'Alien (1979).mkv'),
      category: 'video',
    });
  });

  afterAll(async () => {
    await sql?.end();
    await worker?.close();
    await api?.close();
    await db?.drop();
    await server?.close();
    for (const dir of [media, config?.dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('built-in scrapers', () => {
    it('finds the NFO and the file name, scored against the item', async () => {
      const res = await identify(id.alien).expect(200);
      const body = res.body as IdentifyResponse;
      expect(body.query).toEqual({ title: 'Alien (1979)', year: null });
      expect(body.errors).toEqual([]);
      const nfo = body.candidates.find((candidate) => candidate.scraper === 'builtin:nfo')!;
      expect(nfo).toMatchObject({ scraperName: 'Kodi NFO', ref: 'movie.nfo', title: 'Alien', year: 1979 });
      expect(nfo.metadata).toMatchObject({
        genres: ['Horror', 'Science Fiction'],
        people: [
          { name: 'Sigourney Weaver', role: 'actor', character: 'Ripley' },
          { name: 'Ridley Scott', role: 'director' },
        ],
        providerIds: { imdb: 'tt0078748' },
      });
      const byName = body.candidates.find((candidate) => candidate.scraper === 'builtin:filename')!;
      expect(byName).toMatchObject({ title: 'Alien', year: 1979 });
      for (const candidate of body.candidates) expect(candidate.score).toBeGreaterThan(0.5);
      expect(body.candidates.map((c) => c.score)).toEqual([...body.candidates.map((c) => c.score)].sort((a, b) => b - a));
    });

    it('reads release names and embedded tags', async () => {
      const blade = (await identify(id.blade, { scrapers: ['builtin:filename'] }).expect(200)).body as IdentifyResponse;
      expect(blade.candidates).toEqual([expect.objectContaining({ scraper: 'builtin:filename', title: 'Blade Runner', year: 1982 })]);
      const track = (await identify(id.track).expect(200)).body as IdentifyResponse;
      expect(track.candidates).toEqual([
        expect.objectContaining({
          scraper: 'builtin:tags',
          title: 'Song of Tags',
          year: 1999,
          metadata: expect.objectContaining({ genres: ['Ambient'] }),
        }),
      ]);
    });

    it('applies the NFO: fields, people, genres and studios written; one history row of source scrape', async () => {
      const job = await apply(id.alien, { scraper: 'builtin:nfo', ref: 'movie.nfo' });
      expect(job).toMatchObject({ state: 'completed', result: { scraper: 'builtin:nfo', keptLocked: [] } });
      expect(job.result.changed).toEqual(
        expect.arrayContaining(['title', 'year', 'overview', 'genres', 'studios', 'people', 'providerIds']),
      );
      const detail = await item(id.alien);
      expect(detail).toMatchObject({
        title: 'Alien',
        year: 1979,
        overview: 'The crew of the Nostromo answers a distress call.',
        genres: ['Horror', 'Science Fiction'],
        studios: ['20th Century Fox'],
        providerIds: { imdb: 'tt0078748' },
        lockedFields: [],
      });
      expect(detail.people).toEqual([
        { name: 'Sigourney Weaver', role: 'actor', character: 'Ripley' },
        { name: 'Ridley Scott', role: 'director' },
      ]);
      expect(detail.edits[0]).toMatchObject({ source: 'scrape', username: admin.username });
      expect(detail.edits[0].changes.title).toEqual({ before: 'Alien (1979)', after: 'Alien' });
    });

    it('applies only the fields asked for', async () => {
      const job = await apply(id.blade, { scraper: 'builtin:filename', ref: 'file-name', fields: ['year'] });
      expect(job.result.changed).toEqual(['year']);
      expect(await item(id.blade)).toMatchObject({ title: 'Blade.Runner.1982', year: 1982 });
    });
  });

  describe('embedded tags', () => {
    it('applies the tags of the file: fields changed, a locked title kept', async () => {
      await http().patch(`/api/v1/items/${id.track}`).set(bearer(admin)).send({ title: 'My Song' }).expect(200);
      const job = await apply(id.track, { scraper: 'builtin:tags', ref: 'tags' });
      expect(job).toMatchObject({ state: 'completed', result: { scraper: 'builtin:tags', keptLocked: ['title'] } });
      expect(job.result.changed).toEqual(expect.arrayContaining(['year', 'genres']));
      const detail = await item(id.track);
      expect(detail).toMatchObject({ title: 'My Song', year: 1999, genres: ['Ambient'], lockedFields: ['title'] });
      expect(detail.edits[0]).toMatchObject({ source: 'scrape', username: admin.username });
      expect(detail.edits[0].changes.year).toEqual({ before: null, after: 1999 });
      expect(Object.keys(detail.edits[0].changes)).not.toContain('title');
      expect(await jobLogs(job.jobId)).toContain('kept locked fields: title');
    });
  });

  describe('locked fields', () => {
    it('keeps fields an admin edited, writes the rest, and says which it kept', async () => {
      await http()
        .patch(`/api/v1/items/${id.locked}`)
        .set(bearer(admin))
        .send({ title: 'My Alien', genres: ['Favourites'] })
        .expect(200);
      const job = await apply(id.locked, { scraper: 'builtin:nfo', ref: 'movie.nfo' });
      expect(job.state).toBe('completed');
      expect(job.result.keptLocked).toEqual(['title', 'genres']);
      const detail = await item(id.locked);
      expect(detail).toMatchObject({
        title: 'My Alien',
        genres: ['Favourites'],
        year: 1979,
        overview: 'The crew of the Nostromo answers a distress call.',
      });
      expect(detail.lockedFields).toEqual(['title', 'genres']);
      const logs = (await sql.query(`SELECT message FROM job_logs WHERE "jobId" = $1`, [job.jobId])).rows.map((row) => row.message);
      expect(logs).toContain('kept locked fields: title, genres');
      expect(detail.edits[0].source).toBe('scrape');
      expect(Object.keys(detail.edits[0].changes)).not.toContain('title');
    });
  });

  describe('the example plugin', () => {
    beforeAll(async () => {
      const archive = await zipEntries(folderEntries(join(EXAMPLES, 'catalogue')));
      await http().post('/api/v1/plugins').set(bearer(admin)).set('Content-Type', 'application/zip').send(archive).expect(201);
    });

    it('a disabled plugin is not asked', async () => {
      const body = (await identify(id.alien).expect(200)).body as IdentifyResponse;
      expect(body.candidates.some((candidate) => candidate.scraper === `plugin:${CATALOGUE}`)).toBe(false);
      const res = await http()
        .post(`/api/v1/items/${id.alien}/apply-scrape`)
        .set(bearer(admin))
        .send({ scraper: `plugin:${CATALOGUE}`, ref: 'alien-1979' })
        .expect(409);
      expect(res.body.detail).toBe(`Scraper plugin:${CATALOGUE} belongs to a disabled plugin; enable it first`);
    });

    it('identifies through plugin-run jobs; a shared provider id scores 1', async () => {
      await http().patch(`/api/v1/plugins/${CATALOGUE}`).set(bearer(admin)).send({ enabled: true }).expect(200);
      const body = (await identify(id.alien, { scrapers: [`plugin:${CATALOGUE}`] }).expect(200)).body as IdentifyResponse;
      expect(body.errors).toEqual([]);
      expect(body.query).toEqual({ title: 'Alien', year: 1979 });
      expect(body.candidates.map((c) => [c.ref, c.score])).toEqual([
        ['alien-1979', 1],
        ['aliens-1986', expect.any(Number)],
      ]);
      expect(body.candidates[1].score).toBeLessThan(0.9);
      const runs = (await sql.query(`SELECT state FROM job_runs WHERE queue = 'plugin-run' AND "targetId" = $1`, [CATALOGUE])).rows;
      expect(runs).toEqual([{ state: 'completed' }]);
    });

    it('applies a plugin candidate (the scrape is a plugin-run job too)', async () => {
      const job = await apply(id.alien, { scraper: `plugin:${CATALOGUE}`, ref: 'alien-1979' });
      expect(job.state).toBe('completed');
      expect(await item(id.alien)).toMatchObject({
        tagline: 'In space no one can hear you scream.',
        officialRating: 'R',
        studios: ['Brandywine Productions', '20th Century Fox'],
        premiereDate: '1979-05-25',
        communityRating: 8.5,
        providerIds: { imdb: 'tt0078748', tmdb: '348' },
      });
      const runs = (
        await sql.query(`SELECT name, state FROM job_runs WHERE queue = 'plugin-run' AND "targetId" = $1 ORDER BY "createdAt"`, [CATALOGUE])
      ).rows;
      expect(runs).toEqual([
        { name: 'identify', state: 'completed' },
        { name: 'scrape', state: 'completed' },
      ]);
    });

    it('fetches only from the hosts its manifest permits, through the server, with its secret', async () => {
      server.apiKey = 'catalogue-key';
      await setPolicy(true);
      await http()
        .patch(`/api/v1/plugins/${CATALOGUE}`)
        .set(bearer(admin))
        .send({ settings: { remoteUrl: server.url, apiKey: 'catalogue-key' } })
        .expect(200);
      const refused = (await identify(id.alien, { scrapers: [`plugin:${CATALOGUE}`] }).expect(200)).body as IdentifyResponse;
      expect(refused.candidates).toEqual([]);
      expect(refused.errors).toEqual([
        {
          scraper: `plugin:${CATALOGUE}`,
          message: `Plugin ${CATALOGUE} reported an error: Refused to fetch ${server.url}/search: ${server.host}:${server.port} is not among the permitted hosts (catalogue.example.org)`,
        },
      ]);
      expect(server.requests).toEqual([]);

      // The same plugin permitted to reach the test server.
      const permitted = copyExample('catalogue', (manifest) => {
        (manifest.permissions as { hosts: string[] }).hosts = [`${server.host}:${server.port}`];
      });
      await http().post('/api/v1/plugins').set(bearer(admin)).send({ folder: permitted }).expect(201);
      const body = (await identify(id.alien, { scrapers: [`plugin:${CATALOGUE}`] }).expect(200)).body as IdentifyResponse;
      expect(body.errors).toEqual([]);
      expect(body.candidates.map((c) => c.ref)).toEqual(expect.arrayContaining(['alien-1979', 'remote:m-348']));
      expect(server.requests.map((r) => [r.path, r.headers['x-api-key']])).toEqual([['/search?q=Alien', 'catalogue-key']]);
      await setPolicy(false);
      server.apiKey = undefined;
      server.requests.length = 0;
    });
  });

  describe("a plugin's own fetch headers", () => {
    const PROBE = 'org.example.header-probe';
    const KEY = 'probe-key-77';
    let other: MetadataServer;

    /** On identify, fetches /search with a Host of its choosing, then through a redirect to the other server. */
    const ENTRY = `import { createInterface } from 'node:readline';
const send = (message) => process.stdout.write(JSON.stringify(message) + '\\n');
const pending = new Map();
let next = 1;
const hostFetch = (url, headers) => {
  const id = String(next++);
  send({ type: 'fetch', id, url, headers });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
};
async function identify(settings) {
  const key = { 'X-Api-Key': settings.apiKey, Authorization: 'Bearer ' + settings.apiKey };
  await hostFetch(settings.base + '/search?q=host', { ...key, Host: 'other.example', 'X-Forwarded-Host': 'other.example' });
  await hostFetch(settings.base + '/redirect?to=' + encodeURIComponent('/search?q=same-origin'), key);
  await hostFetch(settings.base + '/redirect?to=' + encodeURIComponent(settings.other + '/search?q=cross-origin'), key);
  return { candidates: [{ ref: 'probe', title: 'Alien', year: 1979 }] };
}
createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line);
  if (message.type === 'call')
    identify(message.settings).then((data) => send({ type: 'result', data }), (error) => send({ type: 'error', message: error.message }));
  else if (message.type === 'fetch-result') {
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiting.reject(new Error(message.error));
    else waiting.resolve(message);
  }
}).on('close', () => process.exit(0));
`;

    beforeAll(async () => {
      other = await startMetadataServer();
      const dir = writePlugin(
        {
          id: PROBE,
          name: 'Header probe',
          version: '1.0.0',
          entry: 'index.mjs',
          capabilities: ['identify', 'scrape:movie'],
          permissions: { hosts: [`${server.host}:${server.port}`, `${other.host}:${other.port}`] },
          settings: {
            base: { type: 'string', title: 'Server' },
            other: { type: 'string', title: 'Other server' },
            apiKey: { type: 'string', title: 'Key', secret: true },
          },
        },
        { 'index.mjs': ENTRY },
      );
      await http().post('/api/v1/plugins').set(bearer(admin)).send({ folder: dir }).expect(201);
      await http()
        .patch(`/api/v1/plugins/${PROBE}`)
        .set(bearer(admin))
        .send({ enabled: true, settings: { base: server.url, other: other.url, apiKey: KEY } })
        .expect(200);
      await setPolicy(true);
    });
    afterAll(async () => {
      await http().delete(`/api/v1/plugins/${PROBE}`).set(bearer(admin)).expect(204);
      await setPolicy(false);
      await other?.close();
      server.requests.length = 0;
    });

    it('cannot choose the Host, and its key follows a same-origin redirect but not one to another origin', async () => {
      server.requests.length = 0;
      const body = (await identify(id.alien, { scrapers: [`plugin:${PROBE}`] }).expect(200)).body as IdentifyResponse;
      expect(body.errors).toEqual([]);
      expect(body.candidates.map((candidate) => candidate.ref)).toEqual(['probe']);
      const seen = (r: { path: string; headers: Record<string, unknown> }) => [
        r.path,
        r.headers.host,
        r.headers['x-api-key'],
        r.headers.authorization,
        r.headers['x-forwarded-host'],
      ];
      const own = `${server.host}:${server.port}`;
      expect(server.requests.map(seen)).toEqual([
        ['/search?q=host', own, KEY, `Bearer ${KEY}`, undefined],
        ['/redirect?to=%2Fsearch%3Fq%3Dsame-origin', own, KEY, `Bearer ${KEY}`, undefined],
        ['/search?q=same-origin', own, KEY, `Bearer ${KEY}`, undefined],
        [expect.stringMatching(/^\/redirect\?to=/), own, KEY, `Bearer ${KEY}`, undefined],
      ]);
      expect(other.requests.map(seen)).toEqual([
        ['/search?q=cross-origin', `${other.host}:${other.port}`, undefined, undefined, undefined],
      ]);
    });
  });

  describe('a declarative HTTP scraper on the loopback metadata server', () => {
    beforeAll(async () => {
      const dir = copyExample('http-catalogue', (manifest) => {
        (manifest.permissions as { hosts: string[] }).hosts = [`${server.host}:${server.port}`];
      });
      await http().post('/api/v1/plugins').set(bearer(admin)).send({ folder: dir }).expect(201);
      await http()
        .patch(`/api/v1/plugins/${HTTP_CATALOGUE}`)
        .set(bearer(admin))
        .send({ enabled: true, settings: { baseUrl: server.url, apiKey: 'http-key' } })
        .expect(200);
      server.apiKey = 'http-key';
    });
    afterAll(() => {
      server.apiKey = undefined;
    });

    it('is listed among the scrapers', async () => {
      const res = await http().get('/api/v1/plugins/scrapers').set(bearer(admin)).expect(200);
      expect(res.body.items).toEqual(
        expect.arrayContaining([
          { id: 'builtin:nfo', name: 'Kodi NFO', kind: 'builtin', pluginId: null, capabilities: expect.any(Array), enabled: true },
          {
            id: HTTP_SCRAPER,
            name: 'Example HTTP catalogue (films)',
            kind: 'http',
            pluginId: HTTP_CATALOGUE,
            capabilities: ['identify', 'scrape:movie'],
            enabled: true,
          },
          {
            id: `plugin:${CATALOGUE}`,
            name: 'Example catalogue',
            kind: 'plugin',
            pluginId: CATALOGUE,
            capabilities: ['identify', 'scrape:movie', 'scrape:series'],
            enabled: true,
          },
        ]),
      );
      await http().get('/api/v1/plugins/scrapers').set(bearer(user)).expect(403);
    });

    it('is refused loopback until an admin allows private networks; the other scrapers still answer', async () => {
      await setPolicy(false);
      const body = (await identify(id.alien).expect(200)).body as IdentifyResponse;
      expect(body.errors).toEqual(
        expect.arrayContaining([
          {
            scraper: HTTP_SCRAPER,
            message: `Refused to fetch ${server.url}/search: 127.0.0.1 is a loopback address (an administrator can allow private networks with PATCH /api/v1/plugins/network-policy)`,
          },
        ]),
      );
      expect(body.candidates.some((candidate) => candidate.scraper === 'builtin:nfo')).toBe(true);
      expect(server.requests).toEqual([]);
    });

    it('searches with the query and the secret header once allowed', async () => {
      await setPolicy(true);
      const body = (await identify(id.alien, { scrapers: [HTTP_SCRAPER] }).expect(200)).body as IdentifyResponse;
      expect(body.errors).toEqual([]);
      expect(body.candidates.map((c) => [c.ref, c.title, c.year])).toEqual([
        ['m-348', 'Alien', 1979],
        ['m-8077', 'Alien³', 1992],
      ]);
      expect(body.candidates[0].score).toBe(1);
      expect(body.candidates[0].overview).toBe('A distress call, a derelict ship, and a stowaway.');
      expect(server.requests.at(-1)).toMatchObject({ path: '/search?q=Alien&year=1979' });
      expect(server.requests.at(-1)!.headers['x-api-key']).toBe('http-key');
    });

    it('applies the detail: mapped fields, merged provider ids, artwork downloaded and re-encoded', async () => {
      const before = await item(id.alien);
      const job = await apply(id.alien, { scraper: HTTP_SCRAPER, ref: 'm-348' });
      expect(job.state).toBe('completed');
      expect(job.result.artwork).toEqual([
        { kind: 'poster', stored: true },
        { kind: 'backdrop', stored: true },
      ]);
      const detail = await item(id.alien);
      expect(detail).toMatchObject({ title: 'Alien', communityRating: 8.5, overview: 'A distress call, a derelict ship, and a stowaway.' });
      expect(detail.people).toEqual([
        { name: 'Sigourney Weaver', role: 'actor', character: 'Ellen Ripley' },
        { name: 'Yaphet Kotto', role: 'actor', character: 'Parker' },
        { name: 'Ridley Scott', role: 'director' },
      ]);
      expect(detail.providerIds).toEqual({ ...before.providerIds, imdb: 'tt0078748', tmdb: '348' });
      const art = (
        await sql.query(`SELECT kind, source, path, width, height FROM item_artwork WHERE "itemId" = $1 ORDER BY kind`, [id.alien])
      ).rows;
      expect(art.map((row) => [row.kind, row.source, row.width, row.height])).toEqual([
        ['backdrop', 'scraped', 1280, 720],
        ['poster', 'scraped', 600, 900],
      ]);
      const poster = art.find((row) => row.kind === 'poster')!;
      expect(poster.path.startsWith(join(config.dataDir, 'artwork'))).toBe(true);
      expect((await sharp(readFileSync(poster.path)).metadata()).format).toBe('webp');
      expect((await sharp(readFileSync(art[0].path)).metadata()).format).toBe('jpeg');
      expect(Object.keys(detail.edits[0].changes)).toEqual(expect.arrayContaining(['artwork.poster', 'artwork.backdrop', 'people']));
      expect(detail.artwork.poster).toMatch(/^\/api\/v1\/items\/.+\/artwork\/poster\?v=/);
    });

    it('an artwork lock keeps the picture; a bad download is logged, not fatal', async () => {
      await http().patch(`/api/v1/items/${id.blade}`).set(bearer(admin)).send({ unlock: [] }).expect(200);
      await sql.query(`UPDATE media_items SET "lockedFields" = '{artwork.poster}' WHERE id = $1`, [id.blade]);
      const job = await apply(id.blade, { scraper: HTTP_SCRAPER, ref: 'm-348' });
      expect(job.result.artwork).toEqual([
        { kind: 'poster', stored: false },
        { kind: 'backdrop', stored: true },
      ]);
      const kinds = (await sql.query(`SELECT kind FROM item_artwork WHERE "itemId" = $1`, [id.blade])).rows.map((row) => row.kind);
      expect(kinds).toEqual(['backdrop']);
    });
  });

  describe('scraped artwork limits', () => {
    beforeAll(() => setPolicy(true));
    it('refuses a decompression bomb by its pixel count; a picture wider than 4K is resized', async () => {
      const job = await apply(id.pictures, { scraper: HTTP_SCRAPER, ref: 'm-901' });
      expect(job.state).toBe('completed');
      expect(job.result.artwork).toEqual([
        {
          kind: 'poster',
          stored: false,
          error: `the picture is ${PIXEL_BOMB_SIZE}×${PIXEL_BOMB_SIZE} pixels, more than the 200000000 allowed`,
        },
        { kind: 'backdrop', stored: true },
      ]);
      expect(await jobLogs(job.jobId)).toContain(
        `poster artwork not imported: the picture is ${PIXEL_BOMB_SIZE}×${PIXEL_BOMB_SIZE} pixels, more than the 200000000 allowed`,
      );
      const art = await artworkRows(id.pictures);
      const height = Math.round((WIDE_PICTURE.height * 3840) / WIDE_PICTURE.width);
      expect(art.map((row) => [row.kind, row.width, row.height])).toEqual([['backdrop', 3840, height]]);
      expect(await sharp(readFileSync(art[0].path)).metadata()).toMatchObject({ format: 'jpeg', width: 3840, height });
    });

    it('refuses pictures over 20 MiB, declared or streamed, leaving the artwork as it was', async () => {
      const before = await artworkRows(id.pictures);
      const job = await apply(id.pictures, { scraper: HTTP_SCRAPER, ref: 'm-900' });
      expect(job.state).toBe('completed');
      const cap = 20 * 1024 * 1024;
      const declared = `${server.url}/images/oversized-declared.jpg answered with ${OVERSIZED_PICTURE_BYTES} bytes, more than the ${cap} allowed`;
      const streamed = `${server.url}/images/oversized-chunked.jpg sent more than the ${cap} bytes allowed`;
      expect(job.result.artwork).toEqual([
        { kind: 'poster', stored: false, error: declared },
        { kind: 'backdrop', stored: false, error: streamed },
      ]);
      expect(await jobLogs(job.jobId)).toEqual(
        expect.arrayContaining([`poster artwork not imported: ${declared}`, `backdrop artwork not imported: ${streamed}`]),
      );
      expect(await artworkRows(id.pictures)).toEqual(before);
      const detail = await item(id.pictures);
      expect(detail.title).toBe('Oversized Cut');
      expect(Object.keys(detail.edits[0].changes).filter((field) => field.startsWith('artwork.'))).toEqual([]);
    });
  });

  describe('a declarative scraper that answers badly', () => {
    const BROKEN = 'org.example.broken-catalogue';
    const SECRET = 'sk-path-secret-4242';

    beforeAll(async () => {
      const request = (url: string) => ({ url, results: 'results', fields: { ref: 'id', title: 'title' } });
      const definition = (name: string, url: string) =>
        JSON.stringify({ name, kinds: ['movie'], search: request(url), detail: { url, fields: { title: 'title' } } });
      const dir = writePlugin(
        {
          id: BROKEN,
          name: 'Broken catalogue',
          version: '1.0.0',
          capabilities: ['identify', 'scrape:movie'],
          permissions: { hosts: [`${server.host}:${server.port}`] },
          settings: { baseUrl: { type: 'string', title: 'Server' }, apiKey: { type: 'string', title: 'Key', secret: true } },
          scrapers: ['garbage.scraper.json', 'secret-path.scraper.json'],
        },
        {
          'garbage.scraper.json': definition('Garbage answers', '{settings.baseUrl}/garbage'),
          'secret-path.scraper.json': definition('Key in the path', '{settings.baseUrl}/keys/{settings.apiKey}/search?q={query.title}'),
        },
      );
      await http().post('/api/v1/plugins').set(bearer(admin)).send({ folder: dir }).expect(201);
      await http()
        .patch(`/api/v1/plugins/${BROKEN}`)
        .set(bearer(admin))
        .send({ enabled: true, settings: { baseUrl: server.url, apiKey: SECRET } })
        .expect(200);
      await setPolicy(true);
    });
    afterAll(async () => {
      await http().delete(`/api/v1/plugins/${BROKEN}`).set(bearer(admin)).expect(204);
      await setPolicy(false);
    });

    it('an answer that is not JSON is a clear error of that scraper', async () => {
      const scraper = `http:${BROKEN}/garbage.scraper.json`;
      const body = (await identify(id.alien, { scrapers: [scraper] }).expect(200)).body as IdentifyResponse;
      expect(body.candidates).toEqual([]);
      expect(body.errors).toEqual([{ scraper, message: 'Garbage answers: /garbage did not answer with JSON' }]);
    });

    it('a secret in the URL path is masked in errors', async () => {
      const scraper = `http:${BROKEN}/secret-path.scraper.json`;
      const body = (await identify(id.alien, { scrapers: [scraper] }).expect(200)).body as IdentifyResponse;
      expect(server.requests.at(-1)!.path).toBe(`/keys/${SECRET}/search?q=Alien`);
      expect(body.errors).toEqual([{ scraper, message: 'Key in the path: /keys/***/search answered HTTP 404' }]);

      await setPolicy(false);
      const refused = (await identify(id.alien, { scrapers: [scraper] }).expect(200)).body as IdentifyResponse;
      expect(refused.errors).toEqual([
        {
          scraper,
          message: `Refused to fetch ${server.url}/keys/***/search: 127.0.0.1 is a loopback address (an administrator can allow private networks with PATCH /api/v1/plugins/network-policy)`,
        },
      ]);
      const job = await apply(id.alien, { scraper, ref: 'm-348' });
      expect(job.state).toBe('failed');
      expect(job.error).toContain(`Refused to fetch ${server.url}/keys/***/search`);
      const logs = (await sql.query(`SELECT message FROM job_logs WHERE "jobId" = $1`, [job.jobId])).rows;
      expect(JSON.stringify([body, refused, job, logs])).not.toContain(SECRET);
      await setPolicy(true);
    });
  });

  describe('refusals', () => {
    it('checks items, types, scrapers and bodies', async () => {
      await identify('00000000-0000-4000-8000-000000000000').expect(404);
      expect((await identify(id.gallery).expect(400)).body.detail).toBe(
        'Items of type gallery cannot be identified: no scraper knows them',
      );
      expect((await identify(id.alien, { scrapers: ['builtin:imdb'] }).expect(400)).body.detail).toBe(
        'Unknown scrapers: builtin:imdb (see GET /api/v1/plugins/scrapers)',
      );
      await identify(id.alien, { year: 'soon' }).expect(400);
      await identify(id.alien, {}, user).expect(403);
      const post = (body: object) => http().post(`/api/v1/items/${id.alien}/apply-scrape`).set(bearer(admin)).send(body);
      expect((await post({ scraper: 'builtin:nope', ref: 'x' }).expect(404)).body.detail).toBe(
        'No scraper "builtin:nope" (see GET /api/v1/plugins/scrapers)',
      );
      expect((await post({ scraper: 'builtin:tags', ref: 'tags', fields: ['title', 'path'] }).expect(400)).body.errors[0].field).toBe(
        'fields',
      );
      expect((await post({ scraper: 'builtin:tags' }).expect(400)).body.errors[0].field).toBe('ref');
      await http()
        .post(`/api/v1/items/${id.alien}/apply-scrape`)
        .set(bearer(user))
        .send({ scraper: 'builtin:nfo', ref: 'movie.nfo' })
        .expect(403);
    });

    it('a scrape that fails fails its job with the reason', async () => {
      const job = await apply(id.alien, { scraper: `plugin:${CATALOGUE}`, ref: 'no-such-film' });
      expect(job.state).toBe('failed');
      expect(job.error).toContain(`Plugin ${CATALOGUE} reported an error: no catalogue entry "no-such-film"`);
    });
  });
});
