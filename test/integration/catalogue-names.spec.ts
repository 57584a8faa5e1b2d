import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type ItemSummary, type NameCountList, PROBLEM_CONTENT_TYPE, type PersonCountList } from '@marquee/contracts';
import pg from 'pg';
import request from 'supertest';
import { bearer, createAccount, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';

interface ItemSeed {
  libraryId: string;
  type: string;
  title: string;
  parentId?: string | null;
  genres?: string[];
  studios?: string[];
  people?: { name: string; role: string; character?: string }[];
  missing?: boolean;
}

interface ItemListBody {
  items: ItemSummary[];
  total: number;
}

describe('genres, studios and people API', () => {
  let db: ScratchDatabase;
  let sql: pg.Client;
  let api: NestExpressApplication;
  let admin: TestAccount;
  let user: TestAccount;
  let bob: TestAccount;
  let media: string;
  const lib: Record<'films' | 'shows' | 'music', string> = { films: '', shows: '', music: '' };
  const id: Record<string, string> = {};

  async function insertLibrary(name: string, kind: string, folder: string): Promise<string> {
    mkdirSync(join(media, folder));
    const { rows } = await sql.query<{ id: string }>(`INSERT INTO libraries (name, kind, folders) VALUES ($1, $2, $3) RETURNING id`, [
      name,
      kind,
      [join(media, folder)],
    ]);
    return rows[0].id;
  }

  async function insertItem(seed: ItemSeed): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO media_items ("libraryId", "parentId", type, title, genres, studios, people, "missingSince")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        seed.libraryId,
        seed.parentId ?? null,
        seed.type,
        seed.title,
        seed.genres ?? [],
        seed.studios ?? [],
        JSON.stringify(seed.people ?? []),
        seed.missing ? new Date() : null,
      ],
    );
    return rows[0].id;
  }

  const http = () => request(api.getHttpServer());
  const get = (path: string, account: TestAccount = user) => http().get(`/api/v1/${path}`).set(bearer(account));
  const names = async (path: string) => ((await get(path).expect(200)).body as NameCountList).items.map((entry) => entry.name);
  const counts = async (path: string) =>
    Object.fromEntries(((await get(path).expect(200)).body as NameCountList).items.map((entry) => [entry.name, entry.count]));
  const titles = async (path: string) => ((await get(path).expect(200)).body as ItemListBody).items.map((item) => item.title);

  beforeAll(async () => {
    db = await createScratchDatabase();
    api = await startApi(testConfig({ env: { DATABASE_URL: db.url } }));
    ({ admin, user } = await seedAccounts(api));
    bob = await createAccount(api, 'user', 'bob');
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    media = mkdtempSync(join(tmpdir(), 'marquee-names-media-'));
    lib.films = await insertLibrary('Films', 'movies', 'films');
    lib.shows = await insertLibrary('Shows', 'series', 'shows');
    lib.music = await insertLibrary('Music', 'music', 'music');

    id.alien = await insertItem({
      libraryId: lib.films,
      type: 'movie',
      title: 'Alien',
      genres: ['Horror', 'Science Fiction'],
      studios: ['20th Century Fox', 'Brandywine'],
      people: [
        { name: 'Sigourney Weaver', role: 'actor', character: 'Ripley' },
        { name: 'Ridley Scott', role: 'director' },
        { name: "Dan O'Bannon", role: 'writer' },
      ],
    });
    id.amelie = await insertItem({
      libraryId: lib.films,
      type: 'movie',
      title: 'Amélie',
      genres: ['Comedy', 'Romance'],
      studios: ['UGC'],
      people: [
        { name: 'Audrey Tautou', role: 'actor', character: 'Amélie' },
        { name: 'Jean-Pierre Jeunet', role: 'director' },
        { name: 'Jean-Pierre Jeunet', role: 'writer' },
      ],
    });
    // Another spelling of a genre, a blank genre and a nameless person (ignored).
    id.bladeRunner = await insertItem({
      libraryId: lib.films,
      type: 'movie',
      title: 'Blade Runner',
      genres: ['science fiction', 'Thriller', '  '],
      studios: ['Warner Bros.'],
      people: [
        { name: 'Harrison Ford', role: 'actor' },
        { name: 'Ridley Scott', role: 'director' },
        { name: '', role: 'actor' },
      ],
    });
    // One studio twice (in two spellings) and one with stray spaces.
    id.matrix = await insertItem({
      libraryId: lib.films,
      type: 'movie',
      title: 'The Matrix',
      genres: ['Science Fiction', 'Action'],
      studios: ['Warner Bros.', 'warner bros.', ' Village Roadshow '],
      people: [
        { name: 'Keanu Reeves', role: 'actor' },
        { name: 'Lana Wachowski', role: 'director' },
        { name: 'Lana Wachowski', role: 'writer' },
      ],
    });
    id.drama = await insertItem({
      libraryId: lib.films,
      type: 'movie',
      title: 'Dans la maison',
      genres: ['Drama'],
      studios: ['Pathé'],
      people: [
        { name: 'Émilie Dequenne', role: 'actor' },
        { name: 'Emile Hirsch', role: 'actor' },
        { name: 'Amélie Nothomb', role: 'writer' },
      ],
    });
    // Whose files are gone: its names count nowhere.
    id.gone = await insertItem({
      libraryId: lib.films,
      type: 'movie',
      title: 'Gone Film',
      genres: ['Horror', 'Noir'],
      studios: ['Ghost Studio'],
      people: [
        { name: 'Ridley Scott', role: 'director' },
        { name: 'Ghost Person', role: 'actor' },
      ],
      missing: true,
    });
    // An extra counts only when extras are asked for by type, as in GET items.
    id.trailer = await insertItem({
      libraryId: lib.films,
      type: 'extra',
      title: 'Alien Trailer',
      parentId: id.alien,
      genres: ['Horror'],
      studios: ['20th Century Fox'],
      people: [
        { name: 'Ridley Scott', role: 'director' },
        { name: 'Trailer Narrator', role: 'actor' },
      ],
    });

    id.show = await insertItem({
      libraryId: lib.shows,
      type: 'series',
      title: 'The Show',
      genres: ['Comedy'],
      studios: ['HBO'],
      people: [
        { name: 'Jane Doe', role: 'actor' },
        { name: 'Sigourney Weaver', role: 'producer' },
      ],
    });
    id.season = await insertItem({ libraryId: lib.shows, type: 'season', title: 'Season 1', parentId: id.show });
    id.pilot = await insertItem({
      libraryId: lib.shows,
      type: 'episode',
      title: 'Pilot',
      parentId: id.season,
      people: [{ name: 'Sigourney Weaver', role: 'actor' }],
    });

    id.album = await insertItem({
      libraryId: lib.music,
      type: 'album',
      title: 'Discovery',
      genres: ['Electronic'],
      studios: ['Virgin'],
      people: [
        { name: 'Thomas Bangalter', role: 'composer' },
        { name: 'Guy-Manuel de Homem-Christo', role: 'producer' },
      ],
    });
    id.track = await insertItem({
      libraryId: lib.music,
      type: 'track',
      title: 'One More Time',
      parentId: id.album,
      genres: ['Electronic', 'House'],
      people: [{ name: 'Thomas Bangalter', role: 'composer' }],
    });
  });

  afterAll(async () => {
    await sql?.end();
    await api?.close();
    await db?.drop();
    if (media) rmSync(media, { recursive: true, force: true });
  });

  describe('GET genres', () => {
    it('lists each genre once with the number of present items carrying it, by name', async () => {
      const res = await get('genres').expect(200);
      expect(res.body).toEqual({
        items: [
          { name: 'Action', count: 1 },
          { name: 'Comedy', count: 2 },
          { name: 'Drama', count: 1 },
          { name: 'Electronic', count: 2 },
          { name: 'Horror', count: 1 },
          { name: 'House', count: 1 },
          { name: 'Romance', count: 1 },
          { name: 'Science Fiction', count: 3 },
          { name: 'Thriller', count: 1 },
        ],
        total: 9,
        limit: 50,
        offset: 0,
      });
    });

    it('filters by library and by type (extras only when asked for)', async () => {
      expect(await counts(`genres?libraryId=${lib.music}`)).toEqual({ Electronic: 2, House: 1 });
      expect(await counts(`genres?libraryId=${lib.films}&type=album`)).toEqual({});
      expect(await counts('genres?type=series')).toEqual({ Comedy: 1 });
      expect(await counts('genres?type=extra')).toEqual({ Horror: 1 });
      expect(await counts(`genres?type=movie,extra&libraryId=${lib.films}`)).toMatchObject({ Horror: 2, 'Science Fiction': 3 });
      expect(await counts('genres?type=album&type=track')).toEqual({ Electronic: 2, House: 1 });
    });

    it('sorts by -count, ties by name', async () => {
      expect(await names('genres?sort=-count')).toEqual([
        'Science Fiction',
        'Comedy',
        'Electronic',
        'Action',
        'Drama',
        'Horror',
        'House',
        'Romance',
        'Thriller',
      ]);
    });

    it('finds names by the start of any word, case ignored; LIKE wildcards are plain characters', async () => {
      expect(await names('genres?q=sci')).toEqual(['Science Fiction']);
      expect(await names('genres?q=SCIENCE%20F')).toEqual(['Science Fiction']);
      expect(await names('genres?q=ho')).toEqual(['Horror', 'House']);
      expect(await names('genres?q=fiction')).toEqual(['Science Fiction']);
      expect(await names('genres?q=iction')).toEqual([]);
      expect(await names('genres?q=%25')).toEqual([]);
      expect(await names('genres?q=_')).toEqual([]);
      expect((await get('genres?q=%20%20').expect(200)).body.total).toBe(9);
    });
  });

  describe('GET studios', () => {
    it('counts an item once however it spells a studio, and trims names', async () => {
      expect(await counts('studios')).toEqual({
        '20th Century Fox': 1,
        Brandywine: 1,
        HBO: 1,
        Pathé: 1,
        UGC: 1,
        'Village Roadshow': 1,
        Virgin: 1,
        'Warner Bros.': 2,
      });
      expect(await names('studios')).toEqual([
        '20th Century Fox',
        'Brandywine',
        'HBO',
        'Pathé',
        'UGC',
        'Village Roadshow',
        'Virgin',
        'Warner Bros.',
      ]);
    });

    it('finds names by the start of any word with accents ignored', async () => {
      expect(await names('studios?q=pathe')).toEqual(['Pathé']);
      expect(await names('studios?q=PATHÉ')).toEqual(['Pathé']);
      expect(await names('studios?q=warner%20b')).toEqual(['Warner Bros.']);
    });

    it('pages stably in both orders: pages neither skip nor repeat', async () => {
      for (const sort of ['name', '-count']) {
        const all = (await get(`studios?sort=${sort}&limit=100`).expect(200)).body as NameCountList;
        expect(all.total).toBe(8);
        const paged: string[] = [];
        for (let offset = 0; offset < 8; offset += 3) {
          const page = (await get(`studios?sort=${sort}&limit=3&offset=${offset}`).expect(200)).body as NameCountList;
          expect(page).toMatchObject({ total: 8, limit: 3, offset });
          paged.push(...page.items.map((entry) => entry.name));
        }
        expect([sort, paged]).toEqual([sort, all.items.map((entry) => entry.name)]);
      }
      expect((await names('studios?sort=-count'))[0]).toBe('Warner Bros.');
      expect((await get('studios?offset=50').expect(200)).body).toEqual({ items: [], total: 8, limit: 50, offset: 50 });
    });
  });

  describe('GET people', () => {
    it('lists people with their roles and the number of present items they appear in', async () => {
      const res = (await get('people').expect(200)).body as PersonCountList;
      expect(res.total).toBe(14);
      expect(res.items).toEqual([
        { name: 'Amélie Nothomb', count: 1, roles: ['writer'] },
        { name: 'Audrey Tautou', count: 1, roles: ['actor'] },
        { name: "Dan O'Bannon", count: 1, roles: ['writer'] },
        { name: 'Emile Hirsch', count: 1, roles: ['actor'] },
        { name: 'Émilie Dequenne', count: 1, roles: ['actor'] },
        { name: 'Guy-Manuel de Homem-Christo', count: 1, roles: ['producer'] },
        { name: 'Harrison Ford', count: 1, roles: ['actor'] },
        { name: 'Jane Doe', count: 1, roles: ['actor'] },
        { name: 'Jean-Pierre Jeunet', count: 1, roles: ['director', 'writer'] },
        { name: 'Keanu Reeves', count: 1, roles: ['actor'] },
        { name: 'Lana Wachowski', count: 1, roles: ['director', 'writer'] },
        { name: 'Ridley Scott', count: 2, roles: ['director'] },
        { name: 'Sigourney Weaver', count: 3, roles: ['actor', 'producer'] },
        { name: 'Thomas Bangalter', count: 2, roles: ['composer'] },
      ]);
    });

    it('filters by role: people with any of the roles, counted over all their items', async () => {
      expect(await names('people?role=director')).toEqual(['Jean-Pierre Jeunet', 'Lana Wachowski', 'Ridley Scott']);
      expect(await names('people?role=director,composer')).toEqual([
        'Jean-Pierre Jeunet',
        'Lana Wachowski',
        'Ridley Scott',
        'Thomas Bangalter',
      ]);
      const producers = (await get('people?role=producer').expect(200)).body as PersonCountList;
      expect(producers.items).toEqual([
        { name: 'Guy-Manuel de Homem-Christo', count: 1, roles: ['producer'] },
        { name: 'Sigourney Weaver', count: 3, roles: ['actor', 'producer'] },
      ]);
      expect((await get('people?role=producer&type=movie').expect(200)).body.items).toEqual([]);
    });

    it('filters by library and type; roles are those within the filter', async () => {
      const shows = (await get(`people?libraryId=${lib.shows}`).expect(200)).body as PersonCountList;
      expect(shows.items).toEqual([
        { name: 'Jane Doe', count: 1, roles: ['actor'] },
        { name: 'Sigourney Weaver', count: 2, roles: ['actor', 'producer'] },
      ]);
      expect(((await get('people?type=movie&q=sig').expect(200)).body as PersonCountList).items).toEqual([
        { name: 'Sigourney Weaver', count: 1, roles: ['actor'] },
      ]);
      expect(await counts('people?type=extra')).toEqual({ 'Ridley Scott': 1, 'Trailer Narrator': 1 });
    });

    it('finds names by the start of any word, accents ignored both ways', async () => {
      expect(await names('people?q=Amelie')).toEqual(['Amélie Nothomb']);
      expect(await names('people?q=am%C3%A9')).toEqual(['Amélie Nothomb']);
      expect(await names('people?q=emil')).toEqual(['Emile Hirsch', 'Émilie Dequenne']);
      expect(await names('people?q=%C3%89mil')).toEqual(['Emile Hirsch', 'Émilie Dequenne']);
      expect(await names('people?q=EMILIE')).toEqual(['Émilie Dequenne']);
      expect(await names('people?q=%C3%89mile%20h')).toEqual(['Emile Hirsch']);
      expect(await names('people?q=scott')).toEqual(['Ridley Scott']);
      expect(await names('people?q=cott')).toEqual([]);
    });

    it('sorts by -count', async () => {
      expect((await names('people?sort=-count')).slice(0, 4)).toEqual([
        'Sigourney Weaver',
        'Ridley Scott',
        'Thomas Bangalter',
        'Amélie Nothomb',
      ]);
    });
  });

  describe('GET items?studio= and ?person=', () => {
    it('lists the items of a studio or a person, case-insensitively, missing items and extras left out', async () => {
      expect(await titles('items?studio=warner%20bros.')).toEqual(['Blade Runner', 'The Matrix']);
      expect(await titles('items?studio=Village%20Roadshow')).toEqual(['The Matrix']);
      expect(await titles('items?studio=Ghost%20Studio')).toEqual([]);
      expect(await titles('items?studio=Ghost%20Studio&includeMissing=true')).toEqual(['Gone Film']);
      expect(await titles('items?person=ridley%20scott')).toEqual(['Alien', 'Blade Runner']);
      expect(await titles('items?person=Ridley%20Scott&type=movie,extra')).toEqual(['Alien', 'Alien Trailer', 'Blade Runner']);
      expect(await titles('items?person=SIGOURNEY%20WEAVER')).toEqual(['Alien', 'Pilot', 'The Show']);
      expect(await titles(`items?person=Sigourney%20Weaver&libraryId=${lib.shows}&type=series`)).toEqual(['The Show']);
      expect(await titles('items?person=Sigourney')).toEqual([]);
      expect(await titles('items?person=Ridley%20Scott&studio=Warner%20Bros.&genre=science%20fiction')).toEqual(['Blade Runner']);
    });

    it('every listed name leads to as many items as it counts, whatever the filters', async () => {
      const scopes = ['', `libraryId=${lib.films}`, 'type=movie,extra', `libraryId=${lib.shows}&type=episode`];
      const lists = [
        ['genres', 'genre'],
        ['studios', 'studio'],
        ['people', 'person'],
      ];
      const mismatches: string[] = [];
      for (const scope of scopes) {
        for (const [list, filter] of lists) {
          const listed = (await get(`${list}?limit=500&${scope}`).expect(200)).body as NameCountList;
          for (const { name, count } of listed.items) {
            const items = (await get(`items?${filter}=${encodeURIComponent(name)}&limit=1&${scope}`).expect(200)).body as ItemListBody;
            if (items.total !== count) mismatches.push(`${list} ${scope} ${name}: ${count} listed, ${items.total} items`);
          }
        }
      }
      expect(mismatches).toEqual([]);
    });
  });

  describe('access and validation', () => {
    it('is the same shared catalogue for every user and for an API key with the read scope', async () => {
      await sql.query(`INSERT INTO user_item_data ("userId", "itemId", favorite, played) VALUES ($1, $2, true, true)`, [bob.id, id.alien]);
      const readKey = (
        await http()
          .post('/api/v1/api-keys')
          .set(bearer(bob))
          .send({ name: 'names', scopes: ['read'] })
          .expect(201)
      ).body.key as string;
      const streamKey = (
        await http()
          .post('/api/v1/api-keys')
          .set(bearer(bob))
          .send({ name: 'names', scopes: ['stream'] })
          .expect(201)
      ).body.key as string;
      for (const path of ['genres', 'studios', 'people?role=actor', `people?libraryId=${lib.films}&sort=-count`]) {
        const seen = (await get(path, user).expect(200)).body;
        expect((await get(path, bob).expect(200)).body).toEqual(seen);
        expect((await get(path, admin).expect(200)).body).toEqual(seen);
        expect((await http().get(`/api/v1/${path}`).set('X-Api-Key', readKey).expect(200)).body).toEqual(seen);
        await http().get(`/api/v1/${path}`).set('X-Api-Key', streamKey).expect(403);
      }
    });

    it('refuses bad parameters with problem+json naming the field', async () => {
      const cases: [string, string][] = [
        ['genres?sort=count', 'sort'],
        ['genres?sort=title', 'sort'],
        ['studios?type=bogus', 'type'],
        ['people?type=movie,bogus', 'type'],
        ['genres?libraryId=123', 'libraryId'],
        ['studios?limit=0', 'limit'],
        ['people?limit=501', 'limit'],
        ['genres?offset=-1', 'offset'],
        [`studios?q=${'a'.repeat(201)}`, 'q'],
        ['genres?role=actor', 'role'],
        ['people?role=stuntman', 'role'],
        ['people?role=actor,stuntman', 'role'],
        ['people?unknown=1', 'unknown'],
        [`items?studio=${'a'.repeat(201)}`, 'studio'],
        [`items?person=${'a'.repeat(201)}`, 'person'],
      ];
      for (const [path, field] of cases) {
        const res = await get(path);
        expect([path, res.status]).toEqual([path, 400]);
        expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
        expect([path, [...new Set(res.body.errors.map((e: { field: string }) => e.field))]]).toEqual([path, [field]]);
      }
    });

    it('needs authentication', async () => {
      for (const path of ['genres', 'studios', 'people']) {
        await http().get(`/api/v1/${path}`).expect(401);
        await http().get(`/api/v1/${path}`).set(bearer('not.a.token')).expect(401);
      }
    });
  });
});
