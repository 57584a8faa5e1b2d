import { randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  type HistoryEntryView,
  type ItemDetail,
  type MarkPlayedResponse,
  type PageOf,
  PROBLEM_CONTENT_TYPE,
  type ResumeEntry,
  type ScrobbleResponse,
  type UserItemDataView,
  type UserItemEntry,
} from '@marquee/contracts';
import pg from 'pg';
import request from 'supertest';
import { bearer, createAccount, type TestAccount } from '../helpers/accounts.js';
import { CatalogueSeed } from '../helpers/catalogue-seed.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';

const MINUTE = 60_000;
const UNTOUCHED: UserItemDataView = { played: false, playCount: 0, positionMs: 0, favorite: false, rating: null, lastPlayedAt: null };

describe('per-user item state: played, resume points, favourites, ratings, history', () => {
  let db: ScratchDatabase;
  let sql: pg.Client;
  let api: NestExpressApplication;
  let alice: TestAccount;
  let bob: TestAccount;
  let seed: CatalogueSeed;
  let films: string;
  let shows: string;
  let music: string;
  const id: Record<string, string> = {};

  const http = () => request(api.getHttpServer());
  const get = (path: string, account: TestAccount = alice) => http().get(`/api/v1/${path}`).set(bearer(account));
  const put = (path: string, body: object, account: TestAccount = alice) => http().put(`/api/v1/${path}`).set(bearer(account)).send(body);
  const post = (path: string, body: object = {}, account: TestAccount = alice) =>
    http().post(`/api/v1/${path}`).set(bearer(account)).send(body);
  const del = (path: string, account: TestAccount = alice) => http().delete(`/api/v1/${path}`).set(bearer(account));
  const userData = async (itemId: string, account: TestAccount = alice) =>
    (await get(`items/${itemId}/user-data`, account).expect(200)).body as UserItemDataView;
  const resume = async (query = '', account: TestAccount = alice) =>
    (await get(`me/resume${query}`, account).expect(200)).body as PageOf<ResumeEntry>;
  const history = async (query = '', account: TestAccount = alice) =>
    (await get(`me/history${query}`, account).expect(200)).body as PageOf<HistoryEntryView>;
  /** Sets a row directly, for states a client cannot reach in one step (an old resume point, a changed duration). */
  const setRow = (account: TestAccount, itemId: string, values: { positionMs?: number; lastPlayedAt?: string; played?: boolean }) =>
    sql.query(
      `INSERT INTO user_item_data ("userId", "itemId", "positionMs", "lastPlayedAt", played) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ("userId", "itemId") DO UPDATE SET "positionMs" = $3, "lastPlayedAt" = $4, played = $5`,
      [account.id, itemId, values.positionMs ?? 0, values.lastPlayedAt ?? null, values.played ?? false],
    );

  beforeAll(async () => {
    db = await createScratchDatabase();
    api = await startApi(testConfig({ env: { DATABASE_URL: db.url } }));
    alice = await createAccount(api, 'user', 'alice');
    bob = await createAccount(api, 'user', 'bob');
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    seed = new CatalogueSeed(sql);
    films = await seed.library('Films', 'movies');
    shows = await seed.library('Shows', 'series');
    music = await seed.library('Music', 'music');

    id.alien = await seed.item(films, { type: 'movie', title: 'Alien', durationMs: 100 * MINUTE });
    id.trailer = await seed.item(films, { type: 'extra', title: 'Alien Trailer', parentId: id.alien, durationMs: 2 * MINUTE });
    id.brazil = await seed.item(films, { type: 'movie', title: 'Brazil', durationMs: 140 * MINUTE });
    id.casablanca = await seed.item(films, { type: 'movie', title: 'Casablanca', durationMs: 100 * MINUTE });
    id.gone = await seed.item(films, { type: 'movie', title: 'Gone Film', durationMs: 90 * MINUTE, missing: true });
    id.noLength = await seed.item(films, { type: 'movie', title: 'Unprobed Film' });

    id.show = await seed.item(shows, { type: 'series', title: 'The Show' });
    id.specials = await seed.item(shows, { type: 'season', title: 'Specials', parentId: id.show, indexNumber: 0 });
    id.s1 = await seed.item(shows, { type: 'season', title: 'Season 1', parentId: id.show, indexNumber: 1 });
    id.s2 = await seed.item(shows, { type: 'season', title: 'Season 2', parentId: id.show, indexNumber: 2 });
    const episode = (season: string, s: number, e: number, extra: Partial<{ missing: boolean; indexNumberEnd: number }> = {}) =>
      seed.item(shows, {
        type: 'episode',
        title: `S${s}E${e}`,
        parentId: season,
        parentIndexNumber: s,
        indexNumber: e,
        durationMs: 40 * MINUTE,
        ...extra,
      });
    id.sp1 = await episode(id.specials, 0, 1);
    id.s1e1 = await episode(id.s1, 1, 1);
    id.s1e2 = await episode(id.s1, 1, 2);
    id.s1e3 = await episode(id.s1, 1, 3, { missing: true });
    id.s1e4 = await episode(id.s1, 1, 4);
    id.s2e1 = await episode(id.s2, 2, 1);
    // A series without season folders: episodes sit right under it.
    id.flat = await seed.item(shows, { type: 'series', title: 'Flat Show' });
    id.flat1 = await seed.item(shows, { type: 'episode', title: 'Flat 1', parentId: id.flat, indexNumber: 1, durationMs: 20 * MINUTE });
    id.flat2 = await seed.item(shows, { type: 'episode', title: 'Flat 2', parentId: id.flat, indexNumber: 2, durationMs: 20 * MINUTE });

    id.artist = await seed.item(music, { type: 'artist', title: 'The Band' });
    id.album = await seed.item(music, { type: 'album', title: 'First Album', parentId: id.artist });
    id.song = await seed.item(music, { type: 'track', title: 'Song', parentId: id.album, indexNumber: 1, durationMs: 3 * MINUTE });
    id.epic = await seed.item(music, { type: 'track', title: 'Epic', parentId: id.album, indexNumber: 2, durationMs: 20 * MINUTE });
    id.jingle = await seed.item(music, { type: 'track', title: 'Jingle', parentId: id.album, indexNumber: 3, durationMs: 20_000 });
    id.gallery = await seed.item(music, { type: 'gallery', title: 'Booklet' });
    id.page = await seed.item(music, { type: 'image', title: 'Page 1', parentId: id.gallery });
  });

  afterAll(async () => {
    await sql?.end();
    await api?.close();
    await db?.drop();
  });

  describe('GET/PUT items/:id/user-data', () => {
    it('an untouched item reads as unplayed, at 0, not a favourite, unrated', async () => {
      expect(await userData(id.casablanca)).toEqual(UNTOUCHED);
    });

    it('ids are validated and unknown items are 404 (problem+json)', async () => {
      const bad = await get('items/not-a-uuid/user-data').expect(400);
      expect(bad.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      const missing = await get(`items/${randomUUID()}/user-data`).expect(404);
      expect(missing.body.detail).toMatch(/Item .* not found/);
      await put(`items/${randomUUID()}/user-data`, { favorite: true }).expect(404);
      await post(`items/${randomUUID()}/played`).expect(404);
    });

    it('sets favourite and rating; null clears the rating; bad values are 400 and change nothing', async () => {
      expect((await put(`items/${id.brazil}/user-data`, { favorite: true, rating: 8.5 }).expect(200)).body).toMatchObject({
        favorite: true,
        rating: 8.5,
        played: false,
      });
      expect((await put(`items/${id.brazil}/user-data`, { rating: null }).expect(200)).body).toMatchObject({
        favorite: true,
        rating: null,
      });
      for (const body of [{ rating: 11 }, { rating: -1 }, { favorite: 'yes' }, { positionMs: -5 }, { positionMs: 1.5 }, { position: 10 }]) {
        const res = await put(`items/${id.brazil}/user-data`, body).expect(400);
        expect(res.body.errors.length).toBeGreaterThan(0);
      }
      expect(await userData(id.brazil)).toMatchObject({ favorite: true, rating: null });
    });

    it('a progress report is a resume point; GET items/:id shows it as the caller’s user data', async () => {
      const body = (await put(`items/${id.alien}/user-data`, { positionMs: 30 * MINUTE }).expect(200)).body as UserItemDataView;
      expect(body).toMatchObject({ positionMs: 30 * MINUTE, played: false, playCount: 0 });
      expect(body.lastPlayedAt).not.toBeNull();
      const detail = (await get(`items/${id.alien}`).expect(200)).body as ItemDetail;
      expect(detail.userData).toMatchObject({ positionMs: 30 * MINUTE, played: false });
      // Bob's view of the same item is his own.
      expect(((await get(`items/${id.alien}`, bob).expect(200)).body as ItemDetail).userData).toBeNull();
      expect(await userData(id.alien, bob)).toEqual(UNTOUCHED);
    });

    it('a position at or past 90 % makes the item played: resume point gone, one play, one history entry', async () => {
      const before = (await history(`?itemId=${id.casablanca}`)).total;
      const body = (await put(`items/${id.casablanca}/user-data`, { positionMs: 95 * MINUTE }).expect(200)).body as UserItemDataView;
      expect(body).toMatchObject({ played: true, playCount: 1, positionMs: 0 });
      // The player's very last report (the end) is the same play, not a second one.
      expect((await put(`items/${id.casablanca}/user-data`, { positionMs: 100 * MINUTE }).expect(200)).body).toMatchObject({
        playCount: 1,
      });
      const plays = await history(`?itemId=${id.casablanca}`);
      expect(plays.total).toBe(before + 1);
      expect(plays.items[0]).toMatchObject({ playedMs: 95 * MINUTE, item: { id: id.casablanca, title: 'Casablanca' } });
    });

    it('played: true resets the resume point and gives at least one play, idempotently; false clears it all', async () => {
      await put(`items/${id.brazil}/user-data`, { positionMs: 10 * MINUTE }).expect(200);
      const played = (await put(`items/${id.brazil}/user-data`, { played: true, positionMs: 20 * MINUTE }).expect(200)).body;
      expect(played).toMatchObject({ played: true, playCount: 1, positionMs: 0, favorite: true });
      expect((await put(`items/${id.brazil}/user-data`, { played: true }).expect(200)).body).toMatchObject({ playCount: 1 });
      const cleared = (await put(`items/${id.brazil}/user-data`, { played: false, positionMs: 5 * MINUTE }).expect(200)).body;
      expect(cleared).toMatchObject({ played: false, playCount: 0, positionMs: 5 * MINUTE, favorite: true });
    });

    it('only playable items have a resume position', async () => {
      const res = await put(`items/${id.show}/user-data`, { positionMs: 1000 }).expect(400);
      expect(res.body.detail).toMatch(/series has no resume position/);
      await put(`items/${id.page}/user-data`, { positionMs: 1000 }).expect(400);
    });
  });

  describe('marking played cascades over containers', () => {
    it('POST items/:seriesId/played marks every season and episode (missing ones too); DELETE clears them', async () => {
      const marked = (await post(`items/${id.show}/played`).expect(200)).body as MarkPlayedResponse;
      // The series, 3 seasons, 6 episodes.
      expect(marked.affectedItems).toBe(10);
      expect(marked.userData).toMatchObject({ played: true, playCount: 1 });
      for (const episode of [id.sp1, id.s1e1, id.s1e3, id.s2e1])
        expect(await userData(episode)).toMatchObject({ played: true, playCount: 1 });
      expect(await userData(id.s2)).toMatchObject({ played: true });
      // Bob's episodes are untouched.
      expect(await userData(id.s1e1, bob)).toEqual(UNTOUCHED);

      const cleared = (await del(`items/${id.show}/played`).expect(200)).body as MarkPlayedResponse;
      expect(cleared.affectedItems).toBe(10);
      for (const episode of [id.sp1, id.s1e1, id.s2e1]) {
        expect(await userData(episode)).toMatchObject({ played: false, playCount: 0, lastPlayedAt: null });
      }
    });

    it('PUT {played: true} on an album marks its tracks; on a film it leaves the film’s extras alone', async () => {
      await put(`items/${id.album}/user-data`, { played: true }).expect(200);
      for (const track of [id.song, id.epic, id.jingle]) expect(await userData(track)).toMatchObject({ played: true });
      await put(`items/${id.artist}/user-data`, { played: false }).expect(200);
      for (const track of [id.song, id.epic, id.jingle, id.album]) expect(await userData(track)).toMatchObject({ played: false });

      const film = (await post(`items/${id.noLength}/played`).expect(200)).body as MarkPlayedResponse;
      expect(film.affectedItems).toBe(1);
      await post(`items/${id.alien}/played`).expect(200);
      expect(await userData(id.trailer)).toEqual(UNTOUCHED);
      await del(`items/${id.alien}/played`).expect(200);
      await del(`items/${id.noLength}/played`).expect(200);
    });

    it('overlapping cascades sent at once all succeed (no deadlock), and the last word is consistent', async () => {
      const calls = Array.from({ length: 4 }, () => [
        post(`items/${id.show}/played`),
        post(`items/${id.s1}/played`),
        del(`items/${id.s2}/played`),
        put(`items/${id.s1}/user-data`, { played: true }),
      ]).flat();
      const results = await Promise.all(calls);
      expect(results.map((res) => res.status)).toEqual(calls.map(() => 200));
      await post(`items/${id.show}/played`).expect(200);
      for (const episode of [id.s1e1, id.s1e4, id.s2e1]) expect(await userData(episode)).toMatchObject({ played: true });
      await del(`items/${id.show}/played`).expect(200);
    });

    it('a gallery marks its images', async () => {
      expect(((await post(`items/${id.gallery}/played`).expect(200)).body as MarkPlayedResponse).affectedItems).toBe(2);
      expect(await userData(id.page)).toMatchObject({ played: true });
    });
  });

  describe('GET me/resume: continue watching', () => {
    beforeAll(async () => {
      await sql.query(`DELETE FROM user_item_data`);
      const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * MINUTE).toISOString();
      await setRow(alice, id.alien, { positionMs: 30 * MINUTE, lastPlayedAt: at(60) });
      await setRow(alice, id.brazil, { positionMs: 10 * MINUTE, lastPlayedAt: at(5) });
      // 95 % in: played by the rule (its duration was corrected after the report).
      await setRow(alice, id.casablanca, { positionMs: 95 * MINUTE, lastPlayedAt: at(1) });
      await setRow(alice, id.gone, { positionMs: 10 * MINUTE, lastPlayedAt: at(2) });
      await setRow(alice, id.noLength, { positionMs: 10 * MINUTE, lastPlayedAt: at(90) });
      await setRow(alice, id.song, { positionMs: MINUTE, lastPlayedAt: at(3) });
      // The Show: S1E1 and S1E2 played 30 minutes ago, a special more recently (specials do not count);
      // S1E3 is missing, so next up is S1E4.
      await setRow(alice, id.s1e1, { played: true, lastPlayedAt: at(40) });
      await setRow(alice, id.s1e2, { played: true, lastPlayedAt: at(30) });
      await setRow(alice, id.sp1, { played: true, lastPlayedAt: at(4) });
      // Flat Show: episode 1 half watched, so it is a resume entry and the series adds no next up.
      await setRow(alice, id.flat1, { positionMs: 10 * MINUTE, lastPlayedAt: at(20) });
    });

    it('lists started videos newest first, then next-up episodes by their series’ last play; played, missing and music are out', async () => {
      const list = await resume();
      expect(list.items.map((entry) => [entry.item.title, entry.reason])).toEqual([
        ['Brazil', 'resume'],
        ['Flat 1', 'resume'],
        ['S1E4', 'next-up'],
        ['Alien', 'resume'],
        ['Unprobed Film', 'resume'],
      ]);
      expect(list.total).toBe(5);
      expect(list.items[0].userData).toMatchObject({ positionMs: 10 * MINUTE });
      expect(list.items[2].item.parentIndexNumber).toBe(1);
      expect(new Date(list.items[2].lastPlayedAt!).getTime()).toBeCloseTo(Date.now() - 30 * MINUTE, -4);
    });

    it('next up moves on as episodes are played, across seasons, and ends with the series', async () => {
      await put(`items/${id.s1e4}/user-data`, { positionMs: 39 * MINUTE }).expect(200);
      let list = await resume('?type=episode');
      expect(list.items.map((entry) => [entry.item.title, entry.reason])).toEqual([
        ['S2E1', 'next-up'],
        ['Flat 1', 'resume'],
      ]);
      await post(`items/${id.s2e1}/played`).expect(200);
      list = await resume('?type=episode');
      expect(list.items.map((entry) => entry.item.title)).toEqual(['Flat 1']);
    });

    it('pages, filters by type, and lists tracks only when asked', async () => {
      const page = await resume('?limit=2&offset=1');
      expect(page).toMatchObject({ total: 4, limit: 2, offset: 1 });
      expect(page.items).toHaveLength(2);
      expect((await resume('?type=track')).items.map((entry) => entry.item.title)).toEqual(['Song']);
      expect((await resume('?type=movie,track')).items.map((entry) => entry.item.title)).toEqual([
        'Song',
        'Brazil',
        'Alien',
        'Unprobed Film',
      ]);
      await get('me/resume?type=gallery').expect(400);
      await get('me/resume?limit=0').expect(400);
    });

    it('is each user’s own', async () => {
      expect((await resume('', bob)).items).toEqual([]);
      await put(`items/${id.casablanca}/user-data`, { positionMs: 5 * MINUTE }, bob).expect(200);
      expect((await resume('', bob)).items.map((entry) => entry.item.title)).toEqual(['Casablanca']);
      expect((await resume()).items.map((entry) => entry.item.title)).not.toContain('Casablanca');
    });
  });

  describe('GET me/favorites', () => {
    it('lists the caller’s present favourites by title, filtered by type', async () => {
      for (const itemId of [id.brazil, id.alien, id.album, id.gone]) await put(`items/${itemId}/user-data`, { favorite: true }).expect(200);
      await put(`items/${id.casablanca}/user-data`, { favorite: true }, bob).expect(200);
      const all = (await get('me/favorites').expect(200)).body as PageOf<UserItemEntry>;
      expect(all.items.map((entry) => entry.item.title)).toEqual(['Alien', 'Brazil', 'First Album']);
      expect(all.items.every((entry) => entry.userData.favorite)).toBe(true);
      expect(((await get('me/favorites?type=album').expect(200)).body as PageOf<UserItemEntry>).items).toHaveLength(1);
      const bobs = (await get('me/favorites', bob).expect(200)).body as PageOf<UserItemEntry>;
      expect(bobs.items.map((entry) => entry.item.title)).toEqual(['Casablanca']);
    });
  });

  describe('POST/GET me/history: scrobbles', () => {
    const scrobble = (body: object, account: TestAccount = alice) => post('me/history', body, account);

    beforeAll(async () => {
      await sql.query(`DELETE FROM play_history`);
      await sql.query(`DELETE FROM user_item_data WHERE "itemId" = ANY($1::uuid[])`, [[id.song, id.epic, id.jingle]]);
    });

    it('a 3-minute track counts after half of it: not at 89 s (200, nothing recorded), at 90 s (201, one play)', async () => {
      const early = (await scrobble({ itemId: id.song, playedMs: 89_000 }).expect(200)).body as ScrobbleResponse;
      expect(early).toMatchObject({ counted: false, entry: null, userData: { playCount: 0 } });
      expect(early.reason).toMatch(/half its length or 4 minutes \(90 s here\)/);
      expect((await history()).total).toBe(0);

      const counted = (await scrobble({ itemId: id.song, playedMs: 90_000 }).expect(201)).body as ScrobbleResponse;
      expect(counted).toMatchObject({
        counted: true,
        entry: { playedMs: 90_000, item: { id: id.song } },
        userData: { playCount: 1, played: true },
      });
      expect(counted.userData.lastPlayedAt).toBe(counted.entry!.playedAt);
    });

    it('a 20-minute track counts after 4 minutes; a 20-second one never', async () => {
      await scrobble({ itemId: id.epic, playedMs: 4 * MINUTE - 1 }).expect(200);
      expect(((await scrobble({ itemId: id.epic, playedMs: 4 * MINUTE }).expect(201)).body as ScrobbleResponse).counted).toBe(true);
      const jingle = (await scrobble({ itemId: id.jingle, playedMs: 20_000 }).expect(200)).body as ScrobbleResponse;
      expect(jingle).toMatchObject({ counted: false, reason: expect.stringMatching(/30 seconds/) });
    });

    it('a retried scrobble (the same play) is recorded once, even sent in parallel', async () => {
      const playedAt = new Date(Date.now() - 10 * MINUTE).toISOString();
      const results = await Promise.all([1, 2, 3, 4].map(() => scrobble({ itemId: id.song, playedMs: 2 * MINUTE, playedAt })));
      expect(results.map((res) => res.status).sort()).toEqual([200, 200, 200, 201]);
      expect(results.filter((res) => (res.body as ScrobbleResponse).duplicate)).toHaveLength(3);
      expect(await userData(id.song)).toMatchObject({ playCount: 2 });
      expect((await history(`?itemId=${id.song}`)).total).toBe(2);
    });

    it('an offline play sent later keeps the latest play time; history is newest first', async () => {
      const latest = (await userData(id.song)).lastPlayedAt!;
      const old = '2024-01-02T03:04:05.000Z';
      const body = (await scrobble({ itemId: id.song, playedMs: 3 * MINUTE, playedAt: old }).expect(201)).body as ScrobbleResponse;
      expect(body.entry!.playedAt).toBe(old);
      expect(body.userData).toMatchObject({ playCount: 3, lastPlayedAt: latest });
      const list = await history();
      expect(list.total).toBe(4);
      const times = list.items.map((entry) => entry.playedAt);
      expect(times).toEqual([...times].sort().reverse());
      expect(times.at(-1)).toBe(old);
      expect((await history('?type=track&limit=1')).items).toHaveLength(1);
    });

    it('validates: unknown item 404, not playable 400, future or malformed time 400, missing fields 400', async () => {
      await scrobble({ itemId: randomUUID(), playedMs: 1000 }).expect(404);
      expect((await scrobble({ itemId: id.album, playedMs: 1000 }).expect(400)).body.detail).toMatch(/album cannot be scrobbled/);
      await scrobble({ itemId: id.page, playedMs: 1000 }).expect(400);
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect((await scrobble({ itemId: id.song, playedMs: 2 * MINUTE, playedAt: future }).expect(400)).body.detail).toMatch(/future/);
      await scrobble({ itemId: id.song, playedMs: 2 * MINUTE, playedAt: '2024-01-02' }).expect(400);
      await scrobble({ itemId: id.song }).expect(400);
      await scrobble({ itemId: 'nope', playedMs: 1 }).expect(400);
      await get('me/history?itemId=nope').expect(400);
    });

    it('a video counts at 90 % and bumps its play count', async () => {
      await scrobble({ itemId: id.alien, playedMs: 80 * MINUTE }).expect(200);
      expect(((await scrobble({ itemId: id.alien, playedMs: 90 * MINUTE }).expect(201)).body as ScrobbleResponse).userData).toMatchObject({
        played: true,
        positionMs: 0,
      });
    });

    it('is each user’s own', async () => {
      expect((await history('', bob)).total).toBe(0);
      await scrobble({ itemId: id.song, playedMs: 2 * MINUTE }, bob).expect(201);
      expect((await history('', bob)).items.map((entry) => entry.item.title)).toEqual(['Song']);
      expect(await userData(id.song, bob)).toMatchObject({ playCount: 1 });
      expect((await history()).total).toBe(5);
    });
  });
});
