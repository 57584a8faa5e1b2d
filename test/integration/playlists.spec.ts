import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type {
  AddPlaylistEntriesResponse,
  MovePlaylistEntryResponse,
  PageOf,
  PlaylistDetail,
  PlaylistEntryView,
  PlaylistView,
} from '@marquee/contracts';
import pg from 'pg';
import sharp from 'sharp';
import request from 'supertest';
import type { AppConfig } from '../../libs/core/src/index.js';
import { ArtworkService } from '../../libs/library/src/artwork/artwork.service.js';
import { MAX_RANK_LENGTH } from '../../libs/users-data/src/ordering/rank-keys.js';
import { bearer, createAccount, type TestAccount } from '../helpers/accounts.js';
import { CatalogueSeed } from '../helpers/catalogue-seed.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';

const MINUTE = 60_000;

/** supertest keeps binary bodies as Buffers with this parser. */
const binary = (res: request.Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('playlists', () => {
  let db: ScratchDatabase;
  let sql: pg.Client;
  let config: AppConfig;
  let api: NestExpressApplication;
  let alice: TestAccount;
  /** Alice signed in on a second device. */
  let aliceTablet: string;
  let bob: TestAccount;
  let seed: CatalogueSeed;
  let media: string;
  let music: string;
  const id: Record<string, string> = {};
  /** Four albums with covers of four colours, two tracks each. */
  const albums: { id: string; color: [number, number, number]; tracks: string[] }[] = [];

  const http = () => request(api.getHttpServer());
  const as = (account: TestAccount | string) => bearer(account);
  const get = (path: string, account: TestAccount | string = alice) => http().get(`/api/v1/${path}`).set(as(account));
  const post = (path: string, body: object, account: TestAccount | string = alice) =>
    http().post(`/api/v1/${path}`).set(as(account)).send(body);
  const put = (path: string, body: object, account: TestAccount | string = alice) =>
    http().put(`/api/v1/${path}`).set(as(account)).send(body);
  const patch = (path: string, body: object, account: TestAccount | string = alice) =>
    http().patch(`/api/v1/${path}`).set(as(account)).send(body);
  const del = (path: string, account: TestAccount | string = alice) => http().delete(`/api/v1/${path}`).set(as(account));

  const create = async (body: object, account: TestAccount | string = alice) =>
    (await post('playlists', body, account).expect(201)).body as PlaylistDetail;
  const detail = async (playlistId: string, query = '', account: TestAccount | string = alice) =>
    (await get(`playlists/${playlistId}${query}`, account).expect(200)).body as PlaylistDetail;
  const itemIdsOf = async (playlistId: string) => (await detail(playlistId, '?limit=1000')).entries.items.map((entry) => entry.item.id);
  /** Entries as stored: id, key and the row version (xmin changes whenever a row is rewritten). */
  const storedEntries = async (playlistId: string) =>
    (
      await sql.query<{ id: string; position: string; version: string }>(
        `SELECT id, position, xmin::text AS version FROM playlist_entries WHERE "playlistId" = $1 ORDER BY position`,
        [playlistId],
      )
    ).rows;
  const fetchImage = (url: string, headers: Record<string, string> = {}) => http().get(url).set(headers).buffer(true).parse(binary);

  beforeAll(async () => {
    db = await createScratchDatabase();
    config = testConfig({ env: { DATABASE_URL: db.url } });
    api = await startApi(config);
    alice = await createAccount(api, 'user', 'alice');
    bob = await createAccount(api, 'user', 'bob');
    const login = await http().post('/api/v1/auth/login').send({ username: alice.username, password: alice.password }).expect(200);
    aliceTablet = login.body.accessToken;
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    seed = new CatalogueSeed(sql);
    media = mkdtempSync(join(tmpdir(), 'marquee-playlists-media-'));
    music = await seed.library('Music', 'music', [media]);
    const films = await seed.library('Films', 'movies');

    id.artist = await seed.item(music, { type: 'artist', title: 'The Band' });
    const colors: [number, number, number][] = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [255, 255, 0],
    ];
    for (const [n, color] of colors.entries()) {
      const albumId = await seed.item(music, { type: 'album', title: `Album ${n + 1}`, parentId: id.artist, year: 2000 + n });
      const tracks = await seed.items(music, [
        { type: 'track', title: `A${n + 1} T1`, parentId: albumId, indexNumber: 1, parentIndexNumber: 1, durationMs: 3 * MINUTE },
        { type: 'track', title: `A${n + 1} T2`, parentId: albumId, indexNumber: 2, parentIndexNumber: 1, durationMs: 4 * MINUTE },
      ]);
      const cover = join(media, `album-${n + 1}`, 'cover.png');
      await makeImage(cover, { width: 120, height: 120, format: 'png', color: `rgb(${color.join(',')})` });
      expect(await api.get(ArtworkService).setArtwork({ itemId: albumId, kind: 'cover', source: 'folder', path: cover })).toBe(true);
      albums.push({ id: albumId, color, tracks });
    }
    // Tracks stored out of order: disc 2 first, then disc 1 track 2, then disc 1 track 1.
    id.double = await seed.item(music, { type: 'album', title: 'Double Album', parentId: id.artist, year: 2010 });
    [id.d2t1, id.d1t2, id.d1t1] = await seed.items(music, [
      { type: 'track', title: 'Disc 2 Track 1', parentId: id.double, parentIndexNumber: 2, indexNumber: 1, durationMs: MINUTE },
      { type: 'track', title: 'Disc 1 Track 2', parentId: id.double, parentIndexNumber: 1, indexNumber: 2, durationMs: MINUTE },
      { type: 'track', title: 'Disc 1 Track 1', parentId: id.double, parentIndexNumber: 1, indexNumber: 1, durationMs: MINUTE },
    ]);
    id.gone = await seed.item(music, { type: 'track', title: 'Gone Track', parentId: id.double, indexNumber: 9, missing: true });
    id.film = await seed.item(films, { type: 'movie', title: 'Alien', durationMs: 117 * MINUTE });
    id.gallery = await seed.item(films, { type: 'gallery', title: 'Stills' });
    id.still = await seed.item(films, { type: 'image', title: 'Still', parentId: id.gallery });
  });

  afterAll(async () => {
    await sql?.end();
    await api?.close();
    await db?.drop();
    if (media) rmSync(media, { recursive: true, force: true });
  });

  describe('create, read, rename, describe, delete', () => {
    it('creates a playlist of music and video; an album adds its present tracks in disc and track order', async () => {
      const playlist = await create({ name: '  Road trip  ', description: 'Songs and a film', itemIds: [id.double, id.film] });
      expect(playlist).toMatchObject({ name: 'Road trip', description: 'Songs and a film', itemCount: 4, revision: 0 });
      expect(playlist.durationMs).toBe(3 * MINUTE + 117 * MINUTE);
      expect(playlist.entries.items.map((entry) => [entry.index, entry.item.title])).toEqual([
        [0, 'Disc 1 Track 1'],
        [1, 'Disc 1 Track 2'],
        [2, 'Disc 2 Track 1'],
        [3, 'Alien'],
      ]);
      expect(playlist.entries).toMatchObject({ total: 4, offset: 0 });
      const list = (await get('playlists').expect(200)).body as PageOf<PlaylistView>;
      expect(list.items.map((p) => p.name)).toContain('Road trip');
    });

    it('renames and describes; null or "" clears the description; every change bumps the revision', async () => {
      const { id: playlistId } = await create({ name: 'Draft' });
      const renamed = (await patch(`playlists/${playlistId}`, { name: 'Final', description: 'For the party' }).expect(200))
        .body as PlaylistView;
      expect(renamed).toMatchObject({ name: 'Final', description: 'For the party', revision: 1 });
      expect((await patch(`playlists/${playlistId}`, { description: '' }).expect(200)).body).toMatchObject({
        name: 'Final',
        description: null,
      });
      expect((await patch(`playlists/${playlistId}`, { description: 'Again' }).expect(200)).body).toMatchObject({ description: 'Again' });
      expect((await patch(`playlists/${playlistId}`, { description: null }).expect(200)).body).toMatchObject({
        description: null,
        revision: 4,
      });
      await del(`playlists/${playlistId}`).expect(204);
      await get(`playlists/${playlistId}`).expect(404);
      await del(`playlists/${playlistId}`).expect(404);
    });

    it('refuses bad input with 400 and unknown or unplayable items without creating anything', async () => {
      const before = (await get('playlists').expect(200)).body.total as number;
      for (const body of [{}, { name: '   ' }, { name: 'x'.repeat(201) }, { name: 'ok', itemIds: ['nope'] }, { name: 'ok', extra: 1 }]) {
        await post('playlists', body).expect(400);
      }
      expect((await post('playlists', { name: 'ok', itemIds: [randomUUID()] }).expect(404)).body.detail).toMatch(/Item .* not found/);
      expect((await post('playlists', { name: 'ok', itemIds: [id.still] }).expect(400)).body.detail).toMatch(/image/);
      await post('playlists', { name: 'ok', itemIds: [id.gallery] }).expect(400);
      expect((await get('playlists').expect(200)).body.total).toBe(before);
      await get('playlists/not-a-uuid').expect(400);
      await patch(`playlists/${randomUUID()}`, { name: 'x' }).expect(404);
      await patch(`playlists/${randomUUID()}`, { name: '' }).expect(400);
    });
  });

  describe('entries', () => {
    it('holds the same item twice as two entries; DELETE by entry id removes one, by item id removes all of that item', async () => {
      const [a, b] = albums.map((album) => album.tracks[0]);
      const playlist = await create({ name: 'Twice', itemIds: [a, b, a] });
      const entries = playlist.entries.items;
      expect(entries.map((entry) => entry.item.id)).toEqual([a, b, a]);
      expect(new Set(entries.map((entry) => entry.id)).size).toBe(3);

      await del(`playlists/${playlist.id}/items/${entries[2].id}`).expect(204);
      expect(await itemIdsOf(playlist.id)).toEqual([a, b]);
      await post(`playlists/${playlist.id}/items`, { itemIds: [a] }).expect(201);
      await del(`playlists/${playlist.id}/items/${a}`).expect(204);
      expect(await itemIdsOf(playlist.id)).toEqual([b]);
      expect((await del(`playlists/${playlist.id}/items/${randomUUID()}`).expect(404)).body.detail).toMatch(/no entry or item/);
      await del(`playlists/${playlist.id}/items/nope`).expect(400);
    });

    it('adds at an index or at the end and answers with the new entries and their indexes', async () => {
      const [t1, t2, t3, t4] = albums.map((album) => album.tracks[0]);
      const playlist = await create({ name: 'Insertions', itemIds: [t1, t4] });
      const added = (await post(`playlists/${playlist.id}/items`, { itemIds: [t2, t3], index: 1 }).expect(201))
        .body as AddPlaylistEntriesResponse;
      expect(added.entries.map((entry) => [entry.index, entry.item.id])).toEqual([
        [1, t2],
        [2, t3],
      ]);
      expect(added.playlist).toMatchObject({ itemCount: 4, revision: 1 });
      await post(`playlists/${playlist.id}/items`, { itemIds: [t1], index: 0 }).expect(201);
      await post(`playlists/${playlist.id}/items`, { itemIds: [t2], index: 99 }).expect(201);
      expect(await itemIdsOf(playlist.id)).toEqual([t1, t1, t2, t3, t4, t2]);
      await post(`playlists/${playlist.id}/items`, { itemIds: [] }).expect(400);
      await post(`playlists/${playlist.id}/items`, { itemIds: [t1], index: -1 }).expect(400);
      await post(`playlists/${playlist.id}/items`, { itemIds: [randomUUID()] }).expect(404);
      expect(await itemIdsOf(playlist.id)).toHaveLength(6);
    });

    it('moves one entry to an index, after another entry, or to the top; a move to where it is writes nothing', async () => {
      const tracks = albums.map((album) => album.tracks[0]);
      const playlist = await create({ name: 'Moves', itemIds: tracks });
      const [e0, e1, e2, e3] = playlist.entries.items.map((entry) => entry.id);
      const move = async (body: object) =>
        (await put(`playlists/${playlist.id}/order`, body).expect(200)).body as MovePlaylistEntryResponse;
      const order = async () => (await detail(playlist.id)).entries.items.map((entry) => entry.id);

      expect((await move({ entryId: e0, index: 2 })).entry.index).toBe(2);
      expect(await order()).toEqual([e1, e2, e0, e3]);
      expect((await move({ entryId: e3, afterEntryId: e1 })).entry.index).toBe(1);
      expect(await order()).toEqual([e1, e3, e2, e0]);
      await move({ entryId: e0, afterEntryId: null });
      expect(await order()).toEqual([e0, e1, e3, e2]);
      await move({ entryId: e0, index: 100 });
      expect(await order()).toEqual([e1, e3, e2, e0]);

      const stored = await storedEntries(playlist.id);
      const unchanged = await move({ entryId: e3, index: 1 });
      expect(unchanged.moved).toBe(false);
      expect(await storedEntries(playlist.id)).toEqual(stored);

      await put(`playlists/${playlist.id}/order`, { entryId: e0 }).expect(400);
      await put(`playlists/${playlist.id}/order`, { entryId: e0, index: 1, afterEntryId: e1 }).expect(400);
      await put(`playlists/${playlist.id}/order`, { entryId: e0, afterEntryId: e0 }).expect(400);
      await put(`playlists/${playlist.id}/order`, { entryId: randomUUID(), index: 0 }).expect(404);
      const other = await create({ name: 'Other', itemIds: [tracks[0]] });
      await put(`playlists/${playlist.id}/order`, { entryId: other.entries.items[0].id, index: 0 }).expect(404);
      await put(`playlists/${playlist.id}/order`, { entryId: e0, afterEntryId: other.entries.items[0].id }).expect(404);
    });

    it('lists entries of missing items with their flag, so indexes stay true', async () => {
      const playlist = await create({ name: 'With a gone track', itemIds: [id.gone, id.film] });
      expect(playlist.entries.items.map((entry) => [entry.item.title, entry.item.missing])).toEqual([
        ['Gone Track', true],
        ['Alien', false],
      ]);
    });
  });

  describe('a 10,000-entry playlist', () => {
    let playlistId: string;

    beforeAll(async () => {
      const library = await seed.library('Big', 'music');
      const album = await seed.item(library, { type: 'album', title: 'Big Album' });
      const tracks = await seed.items(
        library,
        Array.from({ length: 10_000 }, (_, i) => ({
          type: 'track',
          title: `Track ${i}`,
          parentId: album,
          indexNumber: i + 1,
          durationMs: 1000,
        })),
      );
      playlistId = (await create({ name: 'Huge' })).id;
      for (let i = 0; i < tracks.length; i += 1000) {
        await post(`playlists/${playlistId}/items`, { itemIds: tracks.slice(i, i + 1000) }).expect(201);
      }
    }, 120_000);

    it('keeps short keys, and a move rewrites exactly one entry row', async () => {
      const before = await storedEntries(playlistId);
      expect(before).toHaveLength(10_000);
      expect(Math.max(...before.map((entry) => entry.position.length))).toBeLessThanOrEqual(4);
      const moving = before[9000];

      const started = performance.now();
      const moved = (await put(`playlists/${playlistId}/order`, { entryId: moving.id, index: 10 }).expect(200))
        .body as MovePlaylistEntryResponse;
      const elapsedMs = performance.now() - started;
      expect(moved).toMatchObject({ moved: true, entry: { id: moving.id, index: 10 }, playlist: { itemCount: 10_000 } });

      const after = await storedEntries(playlistId);
      const rewritten = after.filter((entry) => before.find((old) => old.id === entry.id)!.version !== entry.version);
      expect(rewritten.map((entry) => entry.id)).toEqual([moving.id]);
      expect(after[10].id).toBe(moving.id);
      expect(new Set(after.map((entry) => entry.position)).size).toBe(10_000);
      const page = await detail(playlistId, '?offset=9&limit=3');
      expect(page.entries.items.map((entry) => entry.index)).toEqual([9, 10, 11]);
      expect(page.entries.items[1].id).toBe(moving.id);

      const timings: number[] = [];
      for (let i = 0; i < 20; i++) {
        const entry = after[(i * 997) % after.length];
        const t0 = performance.now();
        await put(`playlists/${playlistId}/order`, { entryId: entry.id, index: (i * 7919) % 10_000 }).expect(200);
        timings.push(performance.now() - t0);
      }
      const median = timings.sort((a, b) => a - b)[10];
      process.stdout.write(
        `[playlists] move in a 10,000-entry playlist: 1 entry row rewritten; first ${elapsedMs.toFixed(1)} ms, median of 20 ${median.toFixed(1)} ms (HTTP round trip)\n`,
      );
    });

    it('refuses to grow past 20,000 entries (409) and adds nothing', async () => {
      const tracks = (await sql.query<{ itemId: string }>(`SELECT "itemId" FROM playlist_entries WHERE "playlistId" = $1`, [playlistId]))
        .rows;
      const ids = tracks.map((row) => row.itemId);
      for (let i = 0; i < 10_000; i += 1000) await post(`playlists/${playlistId}/items`, { itemIds: ids.slice(i, i + 1000) }).expect(201);
      const res = await post(`playlists/${playlistId}/items`, { itemIds: [ids[0]] }).expect(409);
      expect(res.body.detail).toMatch(/at most 20000 entries/);
      expect((await detail(playlistId, '?limit=1')).itemCount).toBe(20_000);
    }, 120_000);
  });

  it('renumbers the whole list only when keys grow long from moves into the same gap, keeping the order', async () => {
    const tracks = albums.flatMap((album) => album.tracks).slice(0, 6);
    const playlist = await create({ name: 'Same gap', itemIds: tracks });
    let model = playlist.entries.items.map((entry) => entry.id);
    let longest = 0;
    let renumberings = 0;
    for (let step = 0; step < 400; step++) {
      // The last entry goes to index 1, again and again: always into the gap after the first entry.
      const last = model[model.length - 1];
      await put(`playlists/${playlist.id}/order`, { entryId: last, index: 1 }).expect(200);
      model = [model[0], last, ...model.slice(1, -1)];
      const stored = await storedEntries(playlist.id);
      const length = Math.max(...stored.map((entry) => entry.position.length));
      if (length < longest) renumberings++;
      longest = length;
      expect(length).toBeLessThanOrEqual(MAX_RANK_LENGTH);
    }
    expect(renumberings).toBeGreaterThanOrEqual(1);
    expect((await detail(playlist.id)).entries.items.map((entry) => entry.id)).toEqual(model);
  }, 120_000);

  it('two devices adding and moving at once lose no entry and never share a position', async () => {
    const tracks = albums.flatMap((album) => album.tracks);
    const playlist = await create({ name: 'Party', itemIds: tracks.slice(0, 4) });
    const start = playlist.entries.items.map((entry) => entry.id);
    const phone = Array.from({ length: 25 }, (_, i) =>
      post(`playlists/${playlist.id}/items`, { itemIds: [tracks[i % tracks.length]] }, alice),
    );
    const tablet = Array.from({ length: 25 }, (_, i) =>
      post(`playlists/${playlist.id}/items`, { itemIds: [tracks[(i + 3) % tracks.length]], index: i % 3 }, aliceTablet),
    );
    const moves = Array.from({ length: 10 }, (_, i) =>
      put(`playlists/${playlist.id}/order`, { entryId: start[i % start.length], index: (i * 7) % 20 }, i % 2 ? alice : aliceTablet),
    );
    const results = await Promise.all([...phone, ...tablet, ...moves]);
    expect(results.map((res) => res.status).filter((status) => status !== 201 && status !== 200)).toEqual([]);

    const addedIds = results.slice(0, 50).map((res) => (res.body as AddPlaylistEntriesResponse).entries[0].id);
    const stored = await storedEntries(playlist.id);
    expect(stored).toHaveLength(54);
    expect(new Set(stored.map((entry) => entry.position)).size).toBe(54);
    expect(new Set(stored.map((entry) => entry.id))).toEqual(new Set([...start, ...addedIds]));
    const final = await detail(playlist.id);
    expect(final.revision).toBe(50 + results.slice(50).filter((res) => (res.body as MovePlaylistEntryResponse).moved).length);
    expect(final.entries.items.map((entry) => entry.index)).toEqual(Array.from({ length: 54 }, (_, i) => i));
  });

  describe('covers', () => {
    const pixel = async (image: Buffer, x: number, y: number) => {
      const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
      const at = (y * info.width + x) * info.channels;
      return [data[at], data[at + 1], data[at + 2]];
    };
    const near = (actual: number[], expected: number[]) => actual.every((value, i) => Math.abs(value - expected[i]) <= 24);

    it('a 2×2 collage of the first four distinct album covers, served by its signed URL without headers', async () => {
      const playlist = await create({
        name: 'Four albums',
        itemIds: [albums[0].tracks[0], albums[0].tracks[1], ...albums.slice(1).map((a) => a.tracks[0])],
      });
      expect(playlist.cover.tiles).toHaveLength(4);
      expect(playlist.cover.tiles[0]).toContain(`/items/${albums[0].id}/artwork/cover`);
      expect(playlist.cover.url).toMatch(new RegExp(`^/api/v1/playlists/${playlist.id}/cover\\?v=[0-9a-f]{16}&st=`));

      const res = await fetchImage(playlist.cover.url!).expect(200);
      expect(res.headers['content-type']).toBe('image/webp');
      expect(res.headers['cache-control']).toContain('immutable');
      const meta = await sharp(res.body as Buffer).metadata();
      expect([meta.width, meta.height]).toEqual([600, 600]);
      const quadrants = [
        await pixel(res.body, 150, 150),
        await pixel(res.body, 450, 150),
        await pixel(res.body, 150, 450),
        await pixel(res.body, 450, 450),
      ];
      quadrants.forEach((color, i) => expect([i, color, near(color, albums[i].color)]).toEqual([i, color, true]));

      await fetchImage(playlist.cover.url!, { 'If-None-Match': res.headers.etag }).expect(304);
      const small = await fetchImage(`/api/v1/playlists/${playlist.id}/cover?size=250`, bearer(alice)).expect(200);
      expect((await sharp(small.body as Buffer).metadata()).width).toBe(300);
      await get(`playlists/${playlist.id}/cover?size=50`).expect(400);

      // A new head of the playlist is a new cover URL.
      await put(`playlists/${playlist.id}/order`, { entryId: playlist.entries.items[0].id, index: 10 }).expect(200);
      await put(`playlists/${playlist.id}/order`, { entryId: playlist.entries.items[1].id, index: 10 }).expect(200);
      const reordered = await detail(playlist.id);
      expect(reordered.cover.url).not.toBe(playlist.cover.url);
      const collage = (await fetchImage(reordered.cover.url!).expect(200)).body as Buffer;
      expect(near(await pixel(collage, 150, 150), albums[1].color)).toBe(true);
      expect(near(await pixel(collage, 450, 450), albums[0].color)).toBe(true);
    });

    it('fewer than four pictures: the first one alone; none: no cover', async () => {
      const single = await create({ name: 'One album', itemIds: albums[2].tracks });
      expect(single.cover.tiles).toHaveLength(1);
      const image = (await fetchImage(single.cover.url!).expect(200)).body as Buffer;
      for (const [x, y] of [
        [10, 10],
        [590, 590],
      ]) {
        expect(near(await pixel(image, x, y), albums[2].color)).toBe(true);
      }
      const bare = await create({ name: 'No pictures', itemIds: [id.film] });
      expect(bare.cover).toEqual({ url: null, tiles: [] });
      expect((await get(`playlists/${bare.id}/cover`).expect(404)).body.detail).toMatch(/no pictures/);
    });

    it('a cover URL opens only its own playlist, and only for its owner', async () => {
      const mine = await create({ name: 'Mine', itemIds: [albums[0].tracks[0]] });
      const other = await create({ name: 'Also mine', itemIds: [albums[1].tracks[0]] });
      const token = new URL(mine.cover.url!, 'http://x').searchParams.get('st')!;
      await fetchImage(`/api/v1/playlists/${other.id}/cover?st=${encodeURIComponent(token)}`).expect(401);
      await fetchImage(`/api/v1/playlists/${mine.id}/cover`, bearer(bob)).expect(404);
      await fetchImage(`/api/v1/items/${albums[0].id}/artwork/cover?st=${encodeURIComponent(token)}`).expect(401);
    });
  });

  it('another user’s playlist is 404 on every route, and lists are each user’s own', async () => {
    const mine = await create({ name: 'Private', itemIds: [albums[0].tracks[0]] });
    const entryId = mine.entries.items[0].id;
    await get(`playlists/${mine.id}`, bob).expect(404);
    await patch(`playlists/${mine.id}`, { name: 'Stolen' }, bob).expect(404);
    await post(`playlists/${mine.id}/items`, { itemIds: [albums[1].tracks[0]] }, bob).expect(404);
    await del(`playlists/${mine.id}/items/${entryId}`, bob).expect(404);
    await put(`playlists/${mine.id}/order`, { entryId, index: 0 }, bob).expect(404);
    await del(`playlists/${mine.id}`, bob).expect(404);
    const bobs = (await get('playlists', bob).expect(200)).body as PageOf<PlaylistView>;
    expect(bobs.total).toBe(0);
    const after = await detail(mine.id);
    expect(after).toMatchObject({ name: 'Private', itemCount: 1, revision: 0 });

    await create({ name: 'Bob’s', itemIds: [albums[3].tracks[0]] }, bob);
    const bobsNow = (await get('playlists', bob).expect(200)).body as PageOf<PlaylistView>;
    expect(bobsNow.items.map((p) => p.name)).toEqual(['Bob’s']);
    const alices = (await get('playlists?limit=500').expect(200)).body as PageOf<PlaylistView>;
    expect(alices.items.map((p) => p.name)).not.toContain('Bob’s');
    const names = alices.items.map((p) => p.name.toLowerCase());
    expect(names).toEqual([...names].sort());
  });

  it('removing an item from the catalogue removes its entries', async () => {
    const library = await seed.library('Scratch', 'music');
    const doomed = await seed.item(library, { type: 'track', title: 'Doomed', durationMs: MINUTE });
    const playlist = await create({ name: 'Doomed', itemIds: [doomed, albums[0].tracks[0]] });
    await sql.query(`DELETE FROM media_items WHERE id = $1`, [doomed]);
    expect((await detail(playlist.id)).entries.items.map((entry: PlaylistEntryView) => entry.item.id)).toEqual([albums[0].tracks[0]]);
  });
});
