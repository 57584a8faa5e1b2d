import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type ItemDetail, type ItemSummary, PROBLEM_CONTENT_TYPE } from '@marquee/contracts';
import pg from 'pg';
import request from 'supertest';
import { bearer, createAccount, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';

const DAY_MS = 86_400_000;

interface ItemSeed {
  libraryId: string;
  type: string;
  title: string;
  parentId?: string | null;
  sortTitle?: string | null;
  originalTitle?: string | null;
  year?: number | null;
  genres?: string[];
  artists?: string[];
  albumTitle?: string | null;
  people?: { name: string; role: string; character?: string }[];
  communityRating?: number | null;
  indexNumber?: number | null;
  parentIndexNumber?: number | null;
  extraType?: string | null;
  missing?: boolean;
  /** Days before now. */
  addedDaysAgo?: number;
  /** An exact time instead. */
  addedAt?: string;
}

interface ListBody {
  items: ItemSummary[];
  total: number;
  limit: number;
  offset: number;
}

describe('items, search and metadata editing API', () => {
  let db: ScratchDatabase;
  let sql: pg.Client;
  let api: NestExpressApplication;
  let admin: TestAccount;
  let user: TestAccount;
  let bob: TestAccount;
  let media: string;
  const lib: Record<'films' | 'shows' | 'music' | 'dupes', string> = { films: '', shows: '', music: '', dupes: '' };
  const id: Record<string, string> = {};

  async function insertLibrary(name: string, kind: string, folders: string[]): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(`INSERT INTO libraries (name, kind, folders) VALUES ($1, $2, $3) RETURNING id`, [
      name,
      kind,
      folders,
    ]);
    return rows[0].id;
  }

  async function insertItem(seed: ItemSeed): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO media_items ("libraryId", "parentId", type, title, "sortTitle", "originalTitle", year, genres, artists, "albumTitle", people,
                                "communityRating", "indexNumber", "parentIndexNumber", "extraType", "missingSince", "addedAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, coalesce($18::timestamptz, now() - make_interval(secs => $17)))
       RETURNING id`,
      [
        seed.libraryId,
        seed.parentId ?? null,
        seed.type,
        seed.title,
        seed.sortTitle ?? null,
        seed.originalTitle ?? null,
        seed.year ?? null,
        seed.genres ?? [],
        seed.artists ?? [],
        seed.albumTitle ?? null,
        JSON.stringify(seed.people ?? []),
        seed.communityRating ?? null,
        seed.indexNumber ?? null,
        seed.parentIndexNumber ?? null,
        seed.extraType ?? null,
        seed.missing ? new Date() : null,
        (seed.addedDaysAgo ?? 10) * 86_400,
        seed.addedAt ?? null,
      ],
    );
    return rows[0].id;
  }

  async function insertFile(
    itemId: string,
    libraryId: string,
    path: string,
    extra: { archiveEntry?: string; missing?: boolean } = {},
  ): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO media_files ("itemId", "libraryId", path, folder, "archiveEntry", category, size, mtime, container, "durationMs", bitrate, md5, oshash, "probedAt", "missingSince")
       VALUES ($1, $2, $3, $4, $5, 'video', 734003200, '2024-03-01T10:00:00Z', 'matroska', 7020000, 836000, 'd41d8cd98f00b204e9800998ecf8427e', '8e245d9679d31e12', '2024-03-02T10:00:00Z', $6)
       RETURNING id`,
      [itemId, libraryId, path, join(path, '..'), extra.archiveEntry ?? '', extra.missing ? new Date() : null],
    );
    return rows[0].id;
  }

  const http = () => request(api.getHttpServer());
  const get = (path: string, account: TestAccount = user) => http().get(`/api/v1/${path}`).set(bearer(account));
  const patch = (path: string, body: object, account: TestAccount = admin) =>
    http().patch(`/api/v1/${path}`).set(bearer(account)).send(body);
  const titles = (body: ListBody) => body.items.map((item) => item.title);
  const itemRow = async (itemId: string) => (await sql.query(`SELECT * FROM media_items WHERE id = $1`, [itemId])).rows[0];
  const editRows = async (itemId: string) =>
    (await sql.query(`SELECT * FROM item_edits WHERE "itemId" = $1 ORDER BY at ASC, id ASC`, [itemId])).rows as {
      userId: string;
      username: string;
      source: string;
      changes: Record<string, { before: unknown; after: unknown }>;
    }[];

  beforeAll(async () => {
    db = await createScratchDatabase();
    api = await startApi(testConfig({ env: { DATABASE_URL: db.url } }));
    ({ admin, user } = await seedAccounts(api));
    bob = await createAccount(api, 'user', 'bob');
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    media = mkdtempSync(join(tmpdir(), 'marquee-items-media-'));
    for (const folder of ['films', 'shows', 'music', 'dupes']) mkdirSync(join(media, folder));

    lib.films = await insertLibrary('Films', 'movies', [join(media, 'films')]);
    lib.shows = await insertLibrary('Shows', 'series', [join(media, 'shows')]);
    lib.music = await insertLibrary('Music', 'music', [join(media, 'music')]);
    lib.dupes = await insertLibrary('Dupes', 'movies', [join(media, 'dupes')]);

    // Films: title order (case-insensitive, sortTitle first) is Alien, Amélie, babe, The Matrix ("Matrix"), Zulu, 東京物語.
    id.alien = await insertItem({
      libraryId: lib.films,
      type: 'movie',
      title: 'Alien',
      year: 1979,
      genres: ['Horror', 'Science Fiction'],
      communityRating: 8.5,
      people: [
        { name: 'Sigourney Weaver', role: 'actor', character: 'Ripley' },
        { name: 'Ridley Scott', role: 'director' },
      ],
      addedDaysAgo: 6,
    });
    id.amelie = await insertItem({
      libraryId: lib.films,
      type: 'movie',
      title: 'Amélie',
      originalTitle: 'Le Fabuleux Destin d’Amélie Poulain',
      year: 2001,
      genres: ['Comedy', 'Romance'],
      communityRating: 8.3,
      addedDaysAgo: 5,
    });
    id.babe = await insertItem({ libraryId: lib.films, type: 'movie', title: 'babe', year: 1995, genres: ['Family'], addedDaysAgo: 4 });
    id.matrix = await insertItem({
      libraryId: lib.films,
      type: 'movie',
      title: 'The Matrix',
      sortTitle: 'Matrix',
      year: 1999,
      genres: ['Science Fiction', 'Action'],
      communityRating: 8.7,
      addedDaysAgo: 3,
    });
    id.zulu = await insertItem({
      libraryId: lib.films,
      type: 'movie',
      title: 'Zulu',
      year: 1964,
      genres: ['War'],
      communityRating: 7.7,
      addedDaysAgo: 2,
    });
    id.tokyo = await insertItem({
      libraryId: lib.films,
      type: 'movie',
      title: '東京物語',
      year: 1953,
      genres: ['Drama'],
      communityRating: 8.1,
      addedDaysAgo: 1,
    });
    id.gone = await insertItem({ libraryId: lib.films, type: 'movie', title: 'Gone Film', year: 1999, genres: ['Drama'], missing: true });
    id.trailer = await insertItem({
      libraryId: lib.films,
      type: 'extra',
      title: 'Alien Trailer',
      parentId: id.alien,
      extraType: 'trailer',
    });

    // A series: two seasons, episodes (one of them missing).
    id.show = await insertItem({ libraryId: lib.shows, type: 'series', title: 'The Show', genres: ['Comedy'] });
    id.season1 = await insertItem({ libraryId: lib.shows, type: 'season', title: 'Season 1', parentId: id.show, indexNumber: 1 });
    id.season2 = await insertItem({ libraryId: lib.shows, type: 'season', title: 'Season 2', parentId: id.show, indexNumber: 2 });
    id.pilot = await insertItem({
      libraryId: lib.shows,
      type: 'episode',
      title: 'Pilot',
      parentId: id.season1,
      parentIndexNumber: 1,
      indexNumber: 1,
    });
    id.third = await insertItem({
      libraryId: lib.shows,
      type: 'episode',
      title: 'Third',
      parentId: id.season1,
      parentIndexNumber: 1,
      indexNumber: 3,
    });
    id.second = await insertItem({
      libraryId: lib.shows,
      type: 'episode',
      title: 'Second',
      parentId: id.season1,
      parentIndexNumber: 1,
      indexNumber: 2,
    });
    id.lost = await insertItem({
      libraryId: lib.shows,
      type: 'episode',
      title: 'Lost Episode',
      parentId: id.season1,
      parentIndexNumber: 1,
      indexNumber: 4,
      missing: true,
    });
    id.return = await insertItem({
      libraryId: lib.shows,
      type: 'episode',
      title: 'Return',
      parentId: id.season2,
      parentIndexNumber: 2,
      indexNumber: 1,
    });

    // Music: an artist, an album, two tracks.
    id.artist = await insertItem({ libraryId: lib.music, type: 'artist', title: 'Daft Punk', artists: ['Daft Punk'] });
    id.album = await insertItem({
      libraryId: lib.music,
      type: 'album',
      title: 'Discovery',
      parentId: id.artist,
      artists: ['Daft Punk'],
      year: 2001,
      genres: ['Electronic'],
    });
    id.track1 = await insertItem({
      libraryId: lib.music,
      type: 'track',
      title: 'One More Time',
      parentId: id.album,
      artists: ['Daft Punk'],
      albumTitle: 'Discovery',
      parentIndexNumber: 1,
      indexNumber: 1,
    });
    id.track2 = await insertItem({
      libraryId: lib.music,
      type: 'track',
      title: 'Aerodynamic',
      parentId: id.album,
      artists: ['Daft Punk'],
      albumTitle: 'Discovery',
      parentIndexNumber: 1,
      indexNumber: 2,
    });

    // Same title, same everything: only the id orders them.
    for (let n = 0; n < 5; n++)
      id[`dupe${n}`] = await insertItem({
        libraryId: lib.dupes,
        type: 'movie',
        title: 'Same Title',
        year: 2000,
        addedAt: '2024-01-01T00:00:00Z',
      });
  });

  afterAll(async () => {
    await sql?.end();
    await api?.close();
    await db?.drop();
    if (media) rmSync(media, { recursive: true, force: true });
  });

  describe('GET items', () => {
    it('lists everything browseable by default: no missing items, no extras', async () => {
      const res = await get('items?limit=100').expect(200);
      // 6 films, a series with 2 seasons and 4 episodes, an artist, an album and 2 tracks, 5 duplicates.
      expect(res.body).toMatchObject({ total: 22, limit: 100, offset: 0 });
      const listed = titles(res.body);
      expect(listed).toHaveLength(22);
      expect(listed).not.toContain('Gone Film');
      expect(listed).not.toContain('Lost Episode');
      expect(listed).not.toContain('Alien Trailer');
    });

    it('filters by one type or a comma list of types', async () => {
      const movies = (await get(`items?type=movie&libraryId=${lib.films}`).expect(200)).body as ListBody;
      expect(movies.total).toBe(6);
      expect(titles(movies)).toEqual(['Alien', 'Amélie', 'babe', 'The Matrix', 'Zulu', '東京物語']);
      const extras = (await get('items?type=extra').expect(200)).body as ListBody;
      expect(titles(extras)).toEqual(['Alien Trailer']);
      expect(extras.items[0]).toMatchObject({ type: 'extra', parentId: id.alien, libraryId: lib.films });
      const both = (await get('items?type=movie,extra&libraryId=' + lib.films).expect(200)).body as ListBody;
      expect(both.total).toBe(7);
      const repeated = (await get('items?type=season&type=series').expect(200)).body as ListBody;
      expect(titles(repeated)).toEqual(['Season 1', 'Season 2', 'The Show']);
    });

    it('filters by parent (extras included), library, genre (case-insensitive) and year', async () => {
      expect(titles((await get(`items?parentId=${id.alien}`).expect(200)).body)).toEqual(['Alien Trailer']);
      expect(titles((await get(`items?parentId=${id.season1}&sort=index`).expect(200)).body)).toEqual(['Pilot', 'Second', 'Third']);
      const music = (await get(`items?libraryId=${lib.music}`).expect(200)).body as ListBody;
      expect(music.total).toBe(4);
      expect(titles(music)).toEqual(['Aerodynamic', 'Daft Punk', 'Discovery', 'One More Time']);
      expect(titles((await get('items?genre=science%20fiction').expect(200)).body)).toEqual(['Alien', 'The Matrix']);
      expect(titles((await get('items?genre=Electronic').expect(200)).body)).toEqual(['Discovery']);
      expect(titles((await get('items?year=1999').expect(200)).body)).toEqual(['The Matrix']);
      expect(titles((await get('items?year=1999&includeMissing=true').expect(200)).body)).toEqual(['Gone Film', 'The Matrix']);
      expect(titles((await get(`items?type=movie&libraryId=${lib.shows}`).expect(200)).body)).toEqual([]);
    });

    it('marks missing items when they are asked for', async () => {
      const res = (await get('items?year=1999&includeMissing=true').expect(200)).body as ListBody;
      expect(res.items.map((item) => [item.title, item.missing])).toEqual([
        ['Gone Film', true],
        ['The Matrix', false],
      ]);
    });

    it('searches with q, like GET search', async () => {
      expect(titles((await get('items?q=alie').expect(200)).body)).toEqual(['Alien']);
      expect(titles((await get('items?q=alie&type=movie,extra').expect(200)).body)).toEqual(['Alien', 'Alien Trailer']);
      expect(titles((await get(`items?q=daft&libraryId=${lib.music}&type=track`).expect(200)).body)).toEqual([
        'Aerodynamic',
        'One More Time',
      ]);
      expect((await get('items?q=%27%22%3A*%26%7C!()%5C').expect(200)).body).toMatchObject({ items: [], total: 0 });
    });

    it('sorts by every ITEM_SORTS key', async () => {
      const order = async (sort: string) => titles((await get(`items?type=movie&libraryId=${lib.films}&sort=${sort}`).expect(200)).body);
      expect(await order('title')).toEqual(['Alien', 'Amélie', 'babe', 'The Matrix', 'Zulu', '東京物語']);
      expect(await order('-title')).toEqual(['東京物語', 'Zulu', 'The Matrix', 'babe', 'Amélie', 'Alien']);
      expect(await order('year')).toEqual(['東京物語', 'Zulu', 'Alien', 'babe', 'The Matrix', 'Amélie']);
      expect(await order('-year')).toEqual(['Amélie', 'The Matrix', 'babe', 'Alien', 'Zulu', '東京物語']);
      expect(await order('added')).toEqual(['Alien', 'Amélie', 'babe', 'The Matrix', 'Zulu', '東京物語']);
      expect(await order('-added')).toEqual(['東京物語', 'Zulu', 'The Matrix', 'babe', 'Amélie', 'Alien']);
      expect(await order('rating')).toEqual(['Zulu', '東京物語', 'Amélie', 'Alien', 'The Matrix', 'babe']);
      expect(await order('-rating')).toEqual(['The Matrix', 'Alien', 'Amélie', '東京物語', 'Zulu', 'babe']);
      const episodes = async (sort: string) => titles((await get(`items?type=episode&sort=${sort}`).expect(200)).body);
      expect(await episodes('index')).toEqual(['Pilot', 'Second', 'Third', 'Return']);
      expect(await episodes('-index')).toEqual(['Return', 'Third', 'Second', 'Pilot']);
    });

    it('pages stably: ties are broken by id, pages neither skip nor repeat', async () => {
      const all = (await get(`items?libraryId=${lib.dupes}&limit=100`).expect(200)).body as ListBody;
      const ids = all.items.map((item) => item.id);
      expect(ids).toEqual([...ids].sort());
      expect(ids).toHaveLength(5);
      for (const sort of ['title', 'year', 'added', 'rating', 'index']) {
        const paged: string[] = [];
        for (let offset = 0; offset < 5; offset += 2) {
          const page = (await get(`items?libraryId=${lib.dupes}&sort=${sort}&limit=2&offset=${offset}`).expect(200)).body as ListBody;
          expect(page).toMatchObject({ total: 5, limit: 2, offset });
          paged.push(...page.items.map((item) => item.id));
        }
        expect([sort, paged]).toEqual([sort, [...ids].sort()]);
      }
      const reversed: string[] = [];
      for (let offset = 0; offset < 5; offset += 2) {
        reversed.push(
          ...((await get(`items?libraryId=${lib.dupes}&sort=-title&limit=2&offset=${offset}`).expect(200)).body as ListBody).items.map(
            (i) => i.id,
          ),
        );
      }
      expect(reversed).toEqual([...ids].sort().reverse());
    });

    it('counts children (visible ones only, unless missing items are included)', async () => {
      const counts = async (query: string) =>
        Object.fromEntries(((await get(`items?${query}`).expect(200)).body as ListBody).items.map((item) => [item.title, item.childCount]));
      expect(await counts('type=series,season')).toEqual({ 'Season 1': 3, 'Season 2': 1, 'The Show': 2 });
      expect(await counts('type=season&includeMissing=true')).toEqual({ 'Season 1': 4, 'Season 2': 1 });
      expect(await counts(`libraryId=${lib.films}&type=movie`)).toEqual({
        Alien: 1,
        Amélie: 0,
        babe: 0,
        'The Matrix': 0,
        Zulu: 0,
        東京物語: 0,
      });
      expect(await counts(`libraryId=${lib.music}`)).toEqual({ Aerodynamic: 0, 'Daft Punk': 1, Discovery: 2, 'One More Time': 0 });
    });

    it('returns the summary shape', async () => {
      const [alien] = ((await get('items?q=alien&type=movie').expect(200)).body as ListBody).items;
      expect(alien).toEqual({
        id: id.alien,
        libraryId: lib.films,
        parentId: null,
        type: 'movie',
        title: 'Alien',
        sortTitle: null,
        year: 1979,
        indexNumber: null,
        indexNumberEnd: null,
        parentIndexNumber: null,
        durationMs: null,
        genres: ['Horror', 'Science Fiction'],
        artists: [],
        communityRating: 8.5,
        addedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        missing: false,
        childCount: 1,
        artwork: {},
      });
      expect(Date.now() - Date.parse(alien.addedAt)).toBeGreaterThan(5.9 * DAY_MS);
    });

    it('refuses bad filters with problem+json naming the field', async () => {
      const cases: [string, string][] = [
        ['type=bogus', 'type'],
        ['type=movie,bogus', 'type'],
        ['parentId=nope', 'parentId'],
        ['libraryId=123', 'libraryId'],
        ['sort=name', 'sort'],
        ['year=abc', 'year'],
        ['includeMissing=maybe', 'includeMissing'],
        ['limit=501', 'limit'],
        ['offset=-1', 'offset'],
        ['unknown=1', 'unknown'],
      ];
      for (const [query, field] of cases) {
        const res = await get(`items?${query}`);
        expect([query, res.status]).toEqual([query, 400]);
        expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
        expect([query, [...new Set(res.body.errors.map((e: { field: string }) => e.field))]]).toEqual([query, [field]]);
      }
    });

    it('needs authentication', async () => {
      await http().get('/api/v1/items').expect(401);
      await http().get(`/api/v1/items/${id.alien}`).expect(401);
      await http().get('/api/v1/search?q=alien').expect(401);
    });
  });

  describe('GET items/:id/children', () => {
    it('lists the children with the list filters and sorts', async () => {
      const res = (await get(`items/${id.season1}/children?sort=index`).expect(200)).body as ListBody;
      expect(titles(res)).toEqual(['Pilot', 'Second', 'Third']);
      expect(res.total).toBe(3);
      expect(titles((await get(`items/${id.season1}/children?sort=-index&includeMissing=true`).expect(200)).body)).toEqual([
        'Lost Episode',
        'Third',
        'Second',
        'Pilot',
      ]);
      expect(titles((await get(`items/${id.show}/children`).expect(200)).body)).toEqual(['Season 1', 'Season 2']);
      expect(titles((await get(`items/${id.alien}/children`).expect(200)).body)).toEqual(['Alien Trailer']);
      expect(titles((await get(`items/${id.album}/children?sort=index&limit=1&offset=1`).expect(200)).body)).toEqual(['Aerodynamic']);
    });

    it('answers 404 for an unknown item and 400 for a malformed id or a parentId filter', async () => {
      const missing = await get(`items/${randomUUID()}/children`).expect(404);
      expect(missing.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(missing.body.detail).toMatch(/Item .* not found/);
      await get('items/nope/children').expect(400);
      const extra = await get(`items/${id.show}/children?parentId=${id.season1}`).expect(400);
      expect(extra.body.errors.map((e: { field: string }) => e.field)).toEqual(['parentId']);
    });
  });

  describe('GET items/:id', () => {
    beforeAll(async () => {
      const file = await insertFile(id.alien, lib.films, join(media, 'films', 'Alien (1979)', 'Alien.mkv'));
      // Inserted out of order: the detail orders them by index.
      await sql.query(
        `INSERT INTO media_streams ("fileId", "streamIndex", type, codec, language, title, width, height, "frameRate", bitrate, "bitDepth", "sampleRate", channels, "channelLayout", "isDefault", "isForced")
         VALUES ($1, 2, 'subtitle', 'subrip', 'eng', 'English', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, true),
                ($1, 0, 'video', 'h264', NULL, NULL, 1920, 1080, 23.976, 8000000, 8, NULL, NULL, NULL, true, false),
                ($1, 1, 'audio', 'aac', 'eng', 'Stereo', NULL, NULL, NULL, 192000, NULL, 48000, 2, 'stereo', true, false)`,
        [file],
      );
      // A file outside every folder of the library (the folder was removed): only its name shows.
      await insertFile(id.alien, lib.films, '/srv/old-disk/Alien.Extended.mkv', { missing: true });
      await sql.query(
        `INSERT INTO user_item_data ("userId", "itemId", played, "playCount", "positionMs", favorite, rating, "lastPlayedAt")
         VALUES ($1, $3, true, 2, 123456, true, 9, '2024-05-01T20:00:00Z'),
                ($2, $3, false, 0, 5000, false, NULL, NULL)`,
        [user.id, bob.id, id.alien],
      );
    });

    it('returns the detail with files, streams in index order and relative paths only', async () => {
      const res = await get(`items/${id.alien}`).expect(200);
      const detail = res.body as ItemDetail;
      expect(detail).toMatchObject({
        id: id.alien,
        type: 'movie',
        title: 'Alien',
        year: 1979,
        childCount: 1,
        missing: false,
        originalTitle: null,
        overview: null,
        people: [
          { name: 'Sigourney Weaver', role: 'actor', character: 'Ripley' },
          { name: 'Ridley Scott', role: 'director' },
        ],
        providerIds: {},
        lockedFields: [],
        tags: [],
        studios: [],
      });
      expect(detail.files).toHaveLength(2);
      const current = detail.files.find((file) => file.relativePath === join('Alien (1979)', 'Alien.mkv'))!;
      const old = detail.files.find((file) => file.relativePath === 'Alien.Extended.mkv')!;
      expect(current).toMatchObject({
        relativePath: join('Alien (1979)', 'Alien.mkv'),
        archiveEntry: null,
        size: 734003200,
        container: 'matroska',
        durationMs: 7020000,
        bitrate: 836000,
        md5: 'd41d8cd98f00b204e9800998ecf8427e',
        oshash: '8e245d9679d31e12',
        probedAt: '2024-03-02T10:00:00.000Z',
        missing: false,
      });
      expect(current.streams.map((s) => [s.index, s.type, s.codec])).toEqual([
        [0, 'video', 'h264'],
        [1, 'audio', 'aac'],
        [2, 'subtitle', 'subrip'],
      ]);
      expect(current.streams[0]).toEqual({
        index: 0,
        type: 'video',
        codec: 'h264',
        profile: null,
        language: null,
        title: null,
        width: 1920,
        height: 1080,
        frameRate: 23.976,
        bitrate: 8000000,
        bitDepth: 8,
        sampleRate: null,
        channels: null,
        channelLayout: null,
        hdr: null,
        rotation: null,
        interlaced: false,
        isDefault: true,
        isForced: false,
      });
      expect(current.streams[1]).toMatchObject({ sampleRate: 48000, channels: 2, channelLayout: 'stereo', language: 'eng' });
      expect(old).toMatchObject({ relativePath: 'Alien.Extended.mkv', missing: true, streams: [] });
      // No absolute path reaches the client, admins included.
      const asAdmin = await get(`items/${id.alien}`, admin).expect(200);
      for (const body of [res.text, asAdmin.text]) {
        expect(body).not.toContain(media);
        expect(body).not.toContain('/srv/old-disk');
      }
    });

    it("shows the caller's own user data only", async () => {
      expect(((await get(`items/${id.alien}`, user).expect(200)).body as ItemDetail).userData).toEqual({
        played: true,
        playCount: 2,
        positionMs: 123456,
        favorite: true,
        rating: 9,
        lastPlayedAt: '2024-05-01T20:00:00.000Z',
      });
      expect(((await get(`items/${id.alien}`, bob).expect(200)).body as ItemDetail).userData).toEqual({
        played: false,
        playCount: 0,
        positionMs: 5000,
        favorite: false,
        rating: null,
        lastPlayedAt: null,
      });
      expect(((await get(`items/${id.alien}`, admin).expect(200)).body as ItemDetail).userData).toBeNull();
      expect(((await get(`items/${id.amelie}`, user).expect(200)).body as ItemDetail).userData).toBeNull();
    });

    it('answers 404 for an unknown item and 400 for a malformed id', async () => {
      const missing = await get(`items/${randomUUID()}`).expect(404);
      expect(missing.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(missing.body).toMatchObject({ status: 404, detail: expect.stringMatching(/^Item [0-9a-f-]+ not found$/) });
      const malformed = await get('items/not-a-uuid').expect(400);
      expect(malformed.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    });

    it('shows a missing item (flagged) by id', async () => {
      expect(((await get(`items/${id.gone}`).expect(200)).body as ItemDetail).missing).toBe(true);
    });

    it('names the item above for the way up: an album its artist, a season its series, a film nothing', async () => {
      const parentTitle = async (itemId: string) => ((await get(`items/${itemId}`).expect(200)).body as ItemDetail).parentTitle;
      expect(await parentTitle(id.album)).toBe('Daft Punk');
      expect(await parentTitle(id.track1)).toBe('Discovery');
      expect(await parentTitle(id.season1)).toBe('The Show');
      expect(await parentTitle(id.alien)).toBeNull();
    });
  });

  describe('GET search', () => {
    const search = async (q: string, extra = '') => (await get(`search?q=${encodeURIComponent(q)}${extra}`).expect(200)).body as ListBody;

    it('finds by prefix, ranked, extras included', async () => {
      const res = await search('alie');
      expect(titles(res)).toEqual(['Alien', 'Alien Trailer']);
      expect(res).toMatchObject({ total: 2, limit: 20, offset: 0 });
      expect(titles(await search('ALIEN tra'))).toEqual(['Alien Trailer']);
    });

    it('ignores accents both ways', async () => {
      expect(titles(await search('amelie'))).toEqual(['Amélie']);
      expect(titles(await search('Amélie'))).toEqual(['Amélie']);
      expect(titles(await search('poulain'))).toEqual(['Amélie']);
    });

    it('finds by artist, album title and person', async () => {
      const daft = await search('daft punk');
      expect(daft.total).toBe(4);
      // The exact title ranks first.
      expect(titles(daft)[0]).toBe('Daft Punk');
      expect(titles(daft).sort()).toEqual(['Aerodynamic', 'Daft Punk', 'Discovery', 'One More Time']);
      const discovery = await search('discovery');
      expect(titles(discovery)[0]).toBe('Discovery');
      expect(titles(discovery).sort()).toEqual(['Aerodynamic', 'Discovery', 'One More Time']);
      expect(titles(await search('weaver'))).toEqual(['Alien']);
      expect(titles(await search('ridley sco'))).toEqual(['Alien']);
    });

    it('finds non-Latin titles', async () => {
      expect(titles(await search('東京'))).toEqual(['東京物語']);
    });

    it('leaves missing items out', async () => {
      expect(await search('gone')).toMatchObject({ items: [], total: 0 });
      expect(await search('lost episode')).toMatchObject({ items: [], total: 0 });
    });

    it('treats quotes and tsquery operators as plain separators', async () => {
      expect(titles(await search(`alie'":*&|!()\\`))).toEqual(['Alien', 'Alien Trailer']);
      expect(titles(await search(`'alien' | 'zulu'`))).toEqual([]);
      expect(titles(await search(`weaver') | ('zulu`))).toEqual([]);
      expect(titles(await search(`zulu:* | babe`))).toEqual([]);
      for (const q of [`'":*&|!()\\`, `'`, `\\`, `!`, `:*`, `''''`, `a'b`]) {
        const res = await get(`search?q=${encodeURIComponent(q)}`);
        expect([q, res.status]).toEqual([q, 200]);
      }
      expect(await search(`'":*&|!()\\`)).toMatchObject({ items: [], total: 0 });
    });

    it('pages with limit and offset', async () => {
      const first = await search('daft', '&limit=2');
      const second = await search('daft', '&limit=2&offset=2');
      expect(first).toMatchObject({ total: 4, limit: 2, offset: 0 });
      expect(second).toMatchObject({ total: 4, limit: 2, offset: 2 });
      const ids = [...first.items, ...second.items].map((item) => item.id);
      expect(new Set(ids).size).toBe(4);
    });

    it('refuses a blank q, a missing q and a limit over 100', async () => {
      for (const query of ['search?q=', 'search?q=%20%20', 'search', 'search?q=x&limit=101', 'search?q=x&limit=0']) {
        const res = await get(query);
        expect([query, res.status]).toEqual([query, 400]);
        expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      }
    });
  });

  describe('PATCH items/:id', () => {
    it('is for administrators only', async () => {
      const res = await patch(`items/${id.babe}`, { title: 'Hacked' }, user).expect(403);
      expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect((await itemRow(id.babe)).title).toBe('babe');
      await http().patch(`/api/v1/items/${id.babe}`).send({ title: 'x' }).expect(401);
    });

    it('validates the body and names every bad field', async () => {
      const res = await patch(`items/${id.babe}`, {
        year: 1700,
        communityRating: 11,
        criticRating: -1,
        premiereDate: '2020-13-01',
        bogus: 1,
        genres: ['ok', ''],
        tags: 'not-a-list',
        people: [{ name: 'X', role: 'singer' }],
        providerIds: { 'bad key!': 'x' },
        unlock: ['nope'],
      }).expect(400);
      expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      const fields = new Set(res.body.errors.map((e: { field: string }) => e.field));
      expect([...fields].sort()).toEqual(
        [
          'bogus',
          'communityRating',
          'criticRating',
          'genres',
          'people.0.role',
          'premiereDate',
          'providerIds',
          'tags',
          'unlock',
          'year',
        ].sort(),
      );
      expect(res.body.detail).toContain('property bogus should not exist');

      const more: [object, string][] = [
        [{ title: null }, 'title'],
        [{ title: '   ' }, 'title'],
        [{ year: 2201 }, 'year'],
        [{ year: 1999.5 }, 'year'],
        [{ premiereDate: '2021-02-30' }, 'premiereDate'],
        [{ premiereDate: '2021-2-3' }, 'premiereDate'],
        [{ genres: null }, 'genres'],
        [{ genres: Array.from({ length: 201 }, (_, n) => `g${n}`) }, 'genres'],
        [{ people: [{ role: 'actor' }] }, 'people.0.name'],
        [{ people: [{ name: 'A', role: 'actor', extra: 1 }] }, 'people.0.extra'],
        [{ providerIds: { imdb: 5 } }, 'providerIds'],
        [{ providerIds: ['x'] }, 'providerIds'],
        [{ unlock: 'title' }, 'unlock'],
      ];
      for (const [body, field] of more) {
        const bad = await patch(`items/${id.babe}`, body);
        expect([body, bad.status, bad.body.errors?.map((e: { field: string }) => e.field)[0]]).toEqual([body, 400, field]);
      }
      expect(await editRows(id.babe)).toEqual([]);
      expect((await itemRow(id.babe)).lockedFields).toEqual([]);
    });

    it('changes, locks and records only the fields that changed', async () => {
      const res = await patch(`items/${id.amelie}`, {
        title: 'Amélie',
        year: 2001,
        genres: ['Comedy', 'Romance'],
        overview: 'Paris, 1997.',
        tagline: 'She will change your life.',
        premiereDate: '2001-04-25',
        people: [{ name: 'Audrey Tautou', role: 'actor', character: 'Amélie Poulain' }],
        providerIds: { imdb: 'tt0211915', musicbrainzAlbum: 'n-a' },
        communityRating: 8.3,
        criticRating: 7.5,
      }).expect(200);
      const detail = res.body as ItemDetail;
      // In EDITABLE_ITEM_FIELDS order.
      const changed = ['premiereDate', 'overview', 'tagline', 'people', 'criticRating', 'providerIds'];
      expect(detail).toMatchObject({
        id: id.amelie,
        title: 'Amélie',
        year: 2001,
        overview: 'Paris, 1997.',
        tagline: 'She will change your life.',
        premiereDate: '2001-04-25',
        people: [{ name: 'Audrey Tautou', role: 'actor', character: 'Amélie Poulain' }],
        providerIds: { imdb: 'tt0211915', musicbrainzAlbum: 'n-a' },
        communityRating: 8.3,
        criticRating: 7.5,
        lockedFields: changed,
      });
      const rows = await editRows(id.amelie);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ userId: admin.id, username: admin.username, source: 'admin' });
      expect(rows[0].changes).toEqual({
        overview: { before: null, after: 'Paris, 1997.' },
        tagline: { before: null, after: 'She will change your life.' },
        premiereDate: { before: null, after: '2001-04-25' },
        people: { before: [], after: [{ name: 'Audrey Tautou', role: 'actor', character: 'Amélie Poulain' }] },
        providerIds: { before: {}, after: { imdb: 'tt0211915', musicbrainzAlbum: 'n-a' } },
        criticRating: { before: null, after: 7.5 },
        lockedFields: { before: [], after: changed },
      });
      expect(detail.edits).toHaveLength(1);
      expect(detail.edits[0]).toMatchObject({ username: admin.username, source: 'admin', changes: rows[0].changes });
      const stored = await itemRow(id.amelie);
      expect(stored.lockedFields).toEqual(changed);
      expect(stored.overview).toBe('Paris, 1997.');
      // The search document follows the edit (people are searchable).
      expect(titles((await get('search?q=tautou').expect(200)).body)).toEqual(['Amélie']);
    });

    it('writes no history when nothing changed', async () => {
      const before = await editRows(id.amelie);
      const res = await patch(`items/${id.amelie}`, { overview: 'Paris, 1997.', year: 2001, genres: ['Comedy', 'Romance'] }).expect(200);
      expect((await editRows(id.amelie)).length).toBe(before.length);
      expect((res.body as ItemDetail).lockedFields).toEqual([
        'premiereDate',
        'overview',
        'tagline',
        'people',
        'criticRating',
        'providerIds',
      ]);
      await patch(`items/${id.amelie}`, {}).expect(200);
      expect((await editRows(id.amelie)).length).toBe(before.length);
    });

    it('unlocks fields, records it, and clears nullable fields with null', async () => {
      const res = await patch(`items/${id.amelie}`, { unlock: ['overview', 'people'], tagline: null }).expect(200);
      expect((res.body as ItemDetail).lockedFields).toEqual(['premiereDate', 'tagline', 'criticRating', 'providerIds']);
      expect((res.body as ItemDetail).tagline).toBeNull();
      const rows = await editRows(id.amelie);
      expect(rows.at(-1)!.changes).toEqual({
        tagline: { before: 'She will change your life.', after: null },
        lockedFields: {
          before: ['premiereDate', 'overview', 'tagline', 'people', 'criticRating', 'providerIds'],
          after: ['premiereDate', 'tagline', 'criticRating', 'providerIds'],
        },
      });
      // Edits list newest first, in the detail and on their own.
      const edits = (await get(`items/${id.amelie}/edits`).expect(200)).body;
      expect(edits).toMatchObject({ total: 2, limit: 50, offset: 0 });
      expect(edits.items.map((e: { changes: object }) => Object.keys(e.changes).sort())).toEqual([
        ['lockedFields', 'tagline'],
        ['criticRating', 'lockedFields', 'overview', 'people', 'premiereDate', 'providerIds', 'tagline'],
      ]);
      const detail = (await get(`items/${id.amelie}`).expect(200)).body as ItemDetail;
      expect(detail.edits.map((e) => e.id)).toEqual(edits.items.map((e: { id: string }) => e.id));
    });

    it('keeps the search document in step with a new title', async () => {
      await patch(`items/${id.babe}`, { title: 'Babe: Pig in the City', sortTitle: '' }).expect(200);
      expect(titles((await get('search?q=pig%20city').expect(200)).body)).toEqual(['Babe: Pig in the City']);
      const row = await itemRow(id.babe);
      expect(row.sortTitle).toBeNull();
      expect(row.lockedFields).toEqual(['title']);
    });

    it('loses no edit when PATCHes of different fields race', async () => {
      const bodies: Record<string, unknown>[] = [
        { title: 'Zulu (1964)' },
        { overview: 'Rorke’s Drift, 1879.' },
        { tagline: 'Dwarfing the mightiest!' },
        { year: 1965 },
        { officialRating: 'PG' },
        { genres: ['War', 'History'] },
        { tags: ['classic'] },
        { studios: ['Diamond Films'] },
        { criticRating: 9 },
        { communityRating: 7.8 },
      ];
      const results = await Promise.all(bodies.map((body) => patch(`items/${id.zulu}`, body)));
      expect(results.map((r) => r.status)).toEqual(bodies.map(() => 200));
      const row = await itemRow(id.zulu);
      expect(row).toMatchObject({
        title: 'Zulu (1964)',
        overview: 'Rorke’s Drift, 1879.',
        tagline: 'Dwarfing the mightiest!',
        year: 1965,
        officialRating: 'PG',
        genres: ['War', 'History'],
        tags: ['classic'],
        studios: ['Diamond Films'],
        criticRating: 9,
        communityRating: 7.8,
      });
      expect([...row.lockedFields].sort()).toEqual(bodies.map((body) => Object.keys(body)[0]).sort());
      const rows = await editRows(id.zulu);
      expect(rows).toHaveLength(10);
      // Each history row saw the locks of the ones before it: the lock list only ever grows by one.
      const lockSizes = rows.map((r) => (r.changes.lockedFields.after as string[]).length).sort((a, b) => a - b);
      expect(lockSizes).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('answers 404 for an unknown item and 400 for a malformed id', async () => {
      const res = await patch(`items/${randomUUID()}`, { title: 'x' }).expect(404);
      expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      await patch('items/nope', { title: 'x' }).expect(400);
      await get(`items/${randomUUID()}/edits`).expect(404);
    });
  });
});
