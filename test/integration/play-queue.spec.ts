import { randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { PlayQueueView } from '@marquee/contracts';
import pg from 'pg';
import request from 'supertest';
import type { AppConfig } from '../../libs/core/src/index.js';
import { bearer, createAccount, type TestAccount } from '../helpers/accounts.js';
import { CatalogueSeed } from '../helpers/catalogue-seed.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';

const MINUTE = 60_000;

describe('play queue', () => {
  let db: ScratchDatabase;
  let sql: pg.Client;
  let config: AppConfig;
  let api: NestExpressApplication;
  let alice: TestAccount;
  let bob: TestAccount;
  let seed: CatalogueSeed;
  const id: Record<string, string> = {};
  let tracks: string[] = [];

  const http = () => request(api.getHttpServer());
  const call = (
    method: 'get' | 'put' | 'patch' | 'post' | 'delete',
    path: string,
    body?: object,
    account: TestAccount | string = alice,
  ) => {
    const req = http()[method](`/api/v1/${path}`).set(bearer(account));
    return body === undefined ? req : req.send(body);
  };
  const queue = async (account: TestAccount | string = alice, query = '') =>
    (await call('get', `me/queue${query}`, undefined, account).expect(200)).body as PlayQueueView;
  const titles = (view: PlayQueueView) => view.entries.items.map((entry) => entry.item.title);
  const storedPositions = async (userId: string) =>
    (
      await sql.query<{ position: string }>(`SELECT position FROM play_queue_entries WHERE "userId" = $1 ORDER BY position`, [userId])
    ).rows.map((row) => row.position);

  beforeAll(async () => {
    db = await createScratchDatabase();
    config = testConfig({ env: { DATABASE_URL: db.url } });
    api = await startApi(config);
    alice = await createAccount(api, 'user', 'alice');
    bob = await createAccount(api, 'user', 'bob');
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    seed = new CatalogueSeed(sql);
    const music = await seed.library('Music', 'music');
    const shows = await seed.library('Shows', 'series');
    id.album = await seed.item(music, { type: 'album', title: 'Album' });
    tracks = await seed.items(
      music,
      Array.from({ length: 12 }, (_, i) => ({
        type: 'track',
        title: `T${i + 1}`,
        parentId: id.album,
        indexNumber: i + 1,
        durationMs: 3 * MINUTE,
      })),
    );
    id.series = await seed.item(shows, { type: 'series', title: 'Show' });
    id.season = await seed.item(shows, { type: 'season', title: 'Season 1', parentId: id.series, indexNumber: 1 });
    [id.e2, id.e1] = await seed.items(shows, [
      { type: 'episode', title: 'E2', parentId: id.season, parentIndexNumber: 1, indexNumber: 2, durationMs: 40 * MINUTE },
      { type: 'episode', title: 'E1', parentId: id.season, parentIndexNumber: 1, indexNumber: 1, durationMs: 40 * MINUTE },
    ]);
    id.gallery = await seed.item(music, { type: 'gallery', title: 'Booklet' });
  });

  afterAll(async () => {
    await sql?.end();
    await api?.close();
    await db?.drop();
  });

  it('starts empty', async () => {
    expect(await queue()).toEqual({
      entries: { items: [], total: 0, limit: 200, offset: 0 },
      currentIndex: null,
      currentEntryId: null,
      positionMs: 0,
      revision: 0,
      updatedAt: null,
    });
  });

  it('PUT replaces it; containers stand for what they hold, in order; currentIndex and position are kept', async () => {
    const view = (
      await call('put', 'me/queue', { itemIds: [tracks[0], id.series, tracks[1]], currentIndex: 2, positionMs: 1234 }).expect(200)
    ).body as PlayQueueView;
    expect(titles(view)).toEqual(['T1', 'E1', 'E2', 'T2']);
    expect(view).toMatchObject({ currentIndex: 2, positionMs: 1234, revision: 1 });
    expect(view.currentEntryId).toBe(view.entries.items[2].id);
    expect(view.entries.items.map((entry) => entry.index)).toEqual([0, 1, 2, 3]);

    await call('put', 'me/queue', { itemIds: [tracks[0]], currentIndex: 1 }).expect(400);
    await call('put', 'me/queue', { itemIds: [randomUUID()] }).expect(404);
    await call('put', 'me/queue', { itemIds: [id.gallery] }).expect(400);
    await call('put', 'me/queue', { itemIds: ['x'] }).expect(400);
    await call('put', 'me/queue', {}).expect(400);
    expect(titles(await queue())).toEqual(['T1', 'E1', 'E2', 'T2']);
  });

  it('PUT with a stale revision is refused (409) and changes nothing', async () => {
    const current = await queue();
    const res = await call('put', 'me/queue', { itemIds: [tracks[5]], revision: current.revision - 1 }).expect(409);
    expect(res.body.detail).toMatch(/changed since revision/);
    expect(await queue()).toEqual(current);
    expect((await call('put', 'me/queue', { itemIds: [tracks[5]], revision: current.revision }).expect(200)).body.revision).toBe(
      current.revision + 1,
    );
  });

  it('POST next plays right after the current entry, POST last at the end; an empty queue takes them as they are', async () => {
    await call('delete', 'me/queue').expect(204);
    let view = (await call('post', 'me/queue/last', { itemIds: [tracks[0], tracks[1]] }).expect(200)).body as PlayQueueView;
    expect(titles(view)).toEqual(['T1', 'T2']);
    expect(view).toMatchObject({ currentIndex: 0, positionMs: 0 });
    expect(view.added!.map((entry) => [entry.index, entry.item.title])).toEqual([
      [0, 'T1'],
      [1, 'T2'],
    ]);

    await call('patch', 'me/queue', { currentIndex: 1, positionMs: 5000 }).expect(200);
    view = (await call('post', 'me/queue/next', { itemIds: [tracks[2], tracks[3]] }).expect(200)).body as PlayQueueView;
    expect(titles(view)).toEqual(['T1', 'T2', 'T3', 'T4']);
    expect(view.added!.map((entry) => entry.index)).toEqual([2, 3]);
    expect(view).toMatchObject({ currentIndex: 1, positionMs: 5000 });

    view = (await call('post', 'me/queue/last', { itemIds: [id.album] }).expect(200)).body as PlayQueueView;
    expect(view.entries.total).toBe(16);
    expect(titles(view).slice(4, 7)).toEqual(['T1', 'T2', 'T3']);
    await call('post', 'me/queue/next', { itemIds: [] }).expect(400);
    await call('post', 'me/queue/next', { itemIds: [randomUUID()] }).expect(404);
    expect((await queue()).entries.total).toBe(16);
  });

  it('PATCH says where playback is; a new current entry starts at 0; bad indexes and foreign entries are refused', async () => {
    const before = await queue();
    let view = (await call('patch', 'me/queue', { positionMs: 90_000 }).expect(200)).body as PlayQueueView;
    expect(view).toMatchObject({ currentIndex: 1, positionMs: 90_000, revision: before.revision + 1 });
    view = (await call('patch', 'me/queue', { currentEntryId: before.entries.items[3].id }).expect(200)).body as PlayQueueView;
    expect(view).toMatchObject({ currentIndex: 3, positionMs: 0 });
    await call('patch', 'me/queue', { currentIndex: 16 }).expect(400);
    await call('patch', 'me/queue', { currentEntryId: randomUUID() }).expect(404);
    await call('patch', 'me/queue', { positionMs: -1 }).expect(400);
    expect((await queue()).currentIndex).toBe(3);
  });

  it('pages its entries', async () => {
    const page = await queue(alice, '?limit=5&offset=10');
    expect(page.entries).toMatchObject({ total: 16, limit: 5, offset: 10 });
    expect(page.entries.items.map((entry) => entry.index)).toEqual([10, 11, 12, 13, 14]);
    await call('get', 'me/queue?limit=1001').expect(400);
  });

  it('moves and removes entries; removing the current one makes the next one current', async () => {
    const before = await queue();
    const [e0, e1, e2, e3] = before.entries.items.map((entry) => entry.id);
    let view = (await call('put', 'me/queue/order', { entryId: e0, afterEntryId: e2 }).expect(200)).body as PlayQueueView;
    expect(view.entries.items.slice(0, 4).map((entry) => entry.id)).toEqual([e1, e2, e0, e3]);
    // The current entry (e3) did not change; its index did not either.
    expect(view).toMatchObject({ currentEntryId: e3, currentIndex: 3 });

    view = (await call('delete', `me/queue/entries/${e3}`).expect(200)).body as PlayQueueView;
    expect(view.entries.total).toBe(15);
    expect(view.currentIndex).toBe(3);
    expect(view.currentEntryId).toBe(before.entries.items[4].id);
    await call('delete', `me/queue/entries/${e3}`).expect(404);
    await call('delete', 'me/queue/entries/nope').expect(400);
  });

  it('survives a restart of the api, and a sign-in on another device picks it up', async () => {
    const before = await queue();
    await api.close();
    api = await startApi(config);
    const login = await http().post('/api/v1/auth/login').send({ username: alice.username, password: alice.password }).expect(200);
    const other = await queue(login.body.accessToken as string);
    expect(other).toEqual(before);
    expect(other.entries.total).toBe(15);
    expect(other.positionMs).toBe(before.positionMs);
  });

  it('two devices adding at once lose no entry and never share a position', async () => {
    await call('put', 'me/queue', { itemIds: [tracks[0]] }).expect(200);
    const tablet = (await http().post('/api/v1/auth/login').send({ username: alice.username, password: alice.password }).expect(200)).body
      .accessToken as string;
    const phoneAdds = Array.from({ length: 20 }, (_, i) => call('post', 'me/queue/last', { itemIds: [tracks[i % 12]] }, alice));
    const tabletAdds = Array.from({ length: 20 }, (_, i) => call('post', 'me/queue/next', { itemIds: [tracks[(i + 6) % 12]] }, tablet));
    const results = await Promise.all([...phoneAdds, ...tabletAdds]);
    expect(results.map((res) => res.status).filter((status) => status !== 200)).toEqual([]);
    const added = results.map((res) => (res.body as PlayQueueView).added![0].id);
    expect(new Set(added).size).toBe(40);

    const view = await queue(alice, '?limit=100');
    expect(view.entries.total).toBe(41);
    expect(new Set(view.entries.items.map((entry) => entry.id))).toEqual(new Set([view.entries.items[0].id, ...added]));
    const positions = await storedPositions(alice.id);
    expect(new Set(positions).size).toBe(41);
    // Every "next" went right after the current (first) entry, every "last" to the end.
    const tabletIds = new Set(added.slice(20));
    expect(view.entries.items.slice(1, 21).every((entry) => tabletIds.has(entry.id))).toBe(true);
    expect(view.revision).toBeGreaterThanOrEqual(41);
  });

  it('each user has their own queue; another user’s entries are 404', async () => {
    const alices = await queue();
    expect((await queue(bob)).entries.total).toBe(0);
    await call('put', 'me/queue', { itemIds: [tracks[11]] }, bob).expect(200);
    expect(titles(await queue(bob))).toEqual(['T12']);
    const aliceEntry = alices.entries.items[0].id;
    await call('delete', `me/queue/entries/${aliceEntry}`, undefined, bob).expect(404);
    await call('patch', 'me/queue', { currentEntryId: aliceEntry }, bob).expect(404);
    await call('put', 'me/queue/order', { entryId: aliceEntry, index: 0 }, bob).expect(404);
    await call('delete', 'me/queue', undefined, bob).expect(204);
    expect(await queue()).toEqual(alices);
  });

  it('DELETE empties it', async () => {
    await call('delete', 'me/queue').expect(204);
    const view = await queue();
    expect(view).toMatchObject({ entries: { items: [], total: 0 }, currentIndex: null, currentEntryId: null, positionMs: 0 });
    expect(await storedPositions(alice.id)).toEqual([]);
  });
});
