import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ItemDetail, ItemSummary, LibraryView } from '@marquee/contracts';
import pg from 'pg';
import request from 'supertest';
import type { AppConfig } from '../../libs/core/src/index.js';
import { QueueService } from '../../libs/jobs/src/index.js';
import { LibraryHousekeeping } from '../../libs/library/src/index.js';
import { oshash } from '../../libs/media/src/index.js';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { makeCorrupt, makeFlac, makeImage, makeMp3, makeVideo, makeZip } from '../helpers/media-fixtures.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';

const MOVIE_NFO = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<movie>
  <title>Alien</title>
  <plot>In space no one can hear you scream.</plot>
  <genre>Horror</genre><genre>Science Fiction</genre>
  <director>Ridley Scott</director>
  <actor><name>Sigourney Weaver</name><role>Ripley</role></actor>
  <uniqueid type="tmdb">348</uniqueid>
</movie>`;

const TVSHOW_NFO = `<tvshow><title>The Show</title><plot>A show about a show.</plot><genre>Comedy</genre><lockdata>true</lockdata></tvshow>`;

const md5 = (path: string) => createHash('md5').update(readFileSync(path)).digest('hex');

/** A generated library of every kind, scanned by a real worker through real queues. */
describe('library scan', () => {
  let config: AppConfig;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let admin: TestAccount;
  let user: TestAccount;
  let sql: pg.Client;
  let media: string;
  const libraries: Record<string, LibraryView> = {};

  const get = (path: string, account: TestAccount = admin) => request(api.getHttpServer()).get(`/api/v1/${path}`).set(bearer(account));

  /** Waits until the library's scan and every job it caused have finished. */
  async function settle(libraryId: string, since: Date): Promise<void> {
    await waitFor(
      async () => {
        const { rows } = await sql.query<{ open: number; scans: number }>(
          `SELECT count(*) FILTER (WHERE state IN ('queued', 'active'))::int AS open,
                  count(*) FILTER (WHERE queue = 'library-scan' AND state = 'completed')::int AS scans
           FROM job_runs WHERE "createdAt" >= $1`,
          [since],
        );
        return rows[0].open === 0 && rows[0].scans > 0 ? true : undefined;
      },
      `the scan of ${libraryId} and its jobs`,
      120_000,
      250,
    );
  }

  async function scan(kind: string): Promise<Record<string, unknown>> {
    const since = new Date(Date.now() - 5);
    const response = await request(api.getHttpServer()).post(`/api/v1/libraries/${libraries[kind].id}/scan`).set(bearer(admin));
    expect(response.status).toBe(202);
    await settle(libraries[kind].id, since);
    const { rows } = await sql.query<{ result: Record<string, number> }>(`SELECT result FROM job_runs WHERE id = $1`, [
      response.body.jobId,
    ]);
    return rows[0].result as Record<string, unknown>;
  }

  async function items(libraryKind: string, type: string): Promise<ItemSummary[]> {
    const response = await get(`items?libraryId=${libraries[libraryKind].id}&type=${type}&limit=500`);
    expect(response.status).toBe(200);
    return response.body.items;
  }

  const detail = async (id: string): Promise<ItemDetail> => (await get(`items/${id}`)).body;

  beforeAll(async () => {
    media = mkdtempSync(join(tmpdir(), 'marquee-media-'));
    const movies = join(media, 'movies');
    await makeVideo(join(movies, 'Alien (1979) [imdbid-tt0078748]', 'Alien (1979).mkv'), {
      seconds: 2,
      subtitles: true,
      audioLanguage: 'eng',
    });
    writeFileSync(join(movies, 'Alien (1979) [imdbid-tt0078748]', 'movie.nfo'), MOVIE_NFO);
    await makeImage(join(movies, 'Alien (1979) [imdbid-tt0078748]', 'poster.jpg'), { width: 400, height: 600 });
    await makeVideo(join(movies, 'Alien (1979) [imdbid-tt0078748]', 'Trailers', 'Alien trailer.mp4'), { seconds: 1, container: 'mp4' });
    await makeVideo(join(movies, 'The.Matrix.1999.1080p.BluRay.x264-GRP.mp4'), { seconds: 1, container: 'mp4' });
    await makeVideo(join(movies, 'Kill Bill (2003)', 'Kill Bill (2003) - cd1.mkv'), { seconds: 1 });
    await makeVideo(join(movies, 'Kill Bill (2003)', 'Kill Bill (2003) - cd2.mkv'), { seconds: 1, source: 'mandelbrot' });
    await makeVideo(join(movies, 'Amélie (2001)', 'Amélie (2001).mkv'), { seconds: 1, source: 'smptebars' });
    await makeVideo(join(movies, '千と千尋の神隠し (2001)', '千と千尋の神隠し (2001).mkv'), { seconds: 1 });
    await makeCorrupt(join(movies, 'Broken (2020)', 'Broken (2020).mkv'), 'truncated-mkv');
    // A symlink out of the library is never followed.
    const outside = mkdtempSync(join(tmpdir(), 'marquee-outside-'));
    await makeVideo(join(outside, 'Secret (2000).mkv'), { seconds: 1 });
    symlinkSync(outside, join(movies, 'escape'));

    const series = join(media, 'series');
    await makeVideo(join(series, 'The Show (2010)', 'Season 01', 'The Show - S01E01 - Pilot.mkv'), { seconds: 1 });
    await makeVideo(join(series, 'The Show (2010)', 'Season 01', 'The Show - S01E02E03 - Double.mkv'), { seconds: 1 });
    await makeVideo(join(series, 'The Show (2010)', 'Season 00', 'The Show - S00E01 - Making Of.mkv'), { seconds: 1 });
    writeFileSync(join(series, 'The Show (2010)', 'tvshow.nfo'), TVSHOW_NFO);

    const music = join(media, 'music');
    const album = { album: 'Hi-Res Album', album_artist: 'The Band', date: '2020-03-01', genre: 'Jazz' };
    await makeFlac(join(music, 'The Band', 'Hi-Res Album', '01 First.flac'), {
      bits: 24,
      sampleRate: 96000,
      tags: { ...album, title: 'First', artist: 'The Band feat. Guest', track: '1/2', disc: '1/2' },
      cover: true,
    });
    await makeFlac(join(music, 'The Band', 'Hi-Res Album', '02 Second.flac'), {
      bits: 16,
      tags: { ...album, title: 'Second', artist: 'The Band', track: '1/1', disc: '2/2' },
    });
    await makeMp3(join(music, 'Compilations', 'Now', 'hit.mp3'), {
      tags: { title: 'Hit', artist: 'Someone', album: 'Now 1', compilation: '1' },
    });
    await makeImage(join(music, 'The Band', 'Hi-Res Album', 'cover.jpg'), { width: 300, height: 300 });
    writeFileSync(join(music, 'The Band', 'Hi-Res Album', 'notes.txt'), 'liner notes');

    const images = join(media, 'images');
    await makeImage(join(images, 'Trip', 'a.jpg'), { width: 320, height: 200 });
    await makeImage(join(images, 'Trip', 'b.png'), { width: 64, height: 48, format: 'png' });
    const red = readFileSync(join(images, 'Trip', 'a.jpg'));
    await makeZip(join(images, 'Comic.cbz'), { '10.jpg': red, '2.jpg': red, '../evil.jpg': red });

    config = testConfig();
    api = await startApi(config);
    worker = await startWorker(config);
    ({ admin, user } = await seedAccounts(api));
    sql = new pg.Client({ connectionString: config.databaseUrl });
    await sql.connect();
    for (const kind of ['movies', 'series', 'music', 'images'] as const) {
      const since = new Date(Date.now() - 5);
      const response = await request(api.getHttpServer())
        .post('/api/v1/libraries')
        .set(bearer(admin))
        .send({ name: `Test ${kind} ${process.pid}`, kind, folders: [join(media, kind)] });
      expect(response.status).toBe(201);
      libraries[kind] = response.body;
      await settle(response.body.id, since);
    }
  }, 240_000);

  afterAll(async () => {
    for (const library of Object.values(libraries))
      await request(api.getHttpServer()).delete(`/api/v1/libraries/${library.id}`).set(bearer(admin));
    await sql?.end();
    await worker?.close();
    await api?.close();
    rmSync(media, { recursive: true, force: true });
  });

  describe('films', () => {
    it('names films from folders and release names, with years and provider ids from folder names', async () => {
      const films = await items('movies', 'movie');
      const byTitle = Object.fromEntries(films.map((film) => [film.title, film]));
      expect(Object.keys(byTitle).sort()).toEqual(['Alien', 'Amélie', 'Broken', 'Kill Bill', 'The Matrix', '千と千尋の神隠し'].sort());
      expect(byTitle['The Matrix'].year).toBe(1999);
      expect(byTitle['千と千尋の神隠し'].year).toBe(2001);
      const alien = await detail(byTitle.Alien.id);
      expect(alien.providerIds).toMatchObject({ imdb: 'tt0078748', tmdb: '348' });
    });

    it('fills fields from the NFO and takes folder art', async () => {
      const [alien] = (await items('movies', 'movie')).filter((film) => film.title === 'Alien');
      const full = await detail(alien.id);
      expect(full.overview).toBe('In space no one can hear you scream.');
      expect(full.genres).toEqual(['Horror', 'Science Fiction']);
      expect(full.people).toEqual(
        expect.arrayContaining([
          { name: 'Ridley Scott', role: 'director' },
          { name: 'Sigourney Weaver', role: 'actor', character: 'Ripley' },
        ]),
      );
      expect(full.artwork.poster).toMatch(new RegExp(`^/api/v1/items/${alien.id}/artwork/poster\\?`));
      const poster = await request(api.getHttpServer()).get(full.artwork.poster!.replace(/^\/api\/v1/, '/api/v1'));
      expect(poster.status).toBe(200);
    });

    it('keeps several parts as one film and extras apart from it', async () => {
      const [killBill] = (await items('movies', 'movie')).filter((film) => film.title === 'Kill Bill');
      expect((await detail(killBill.id)).files.map((file) => file.relativePath).sort()).toEqual([
        'Kill Bill (2003)/Kill Bill (2003) - cd1.mkv',
        'Kill Bill (2003)/Kill Bill (2003) - cd2.mkv',
      ]);
      const [alien] = (await items('movies', 'movie')).filter((film) => film.title === 'Alien');
      const extras = await items('movies', 'extra');
      expect(extras).toHaveLength(1);
      expect(extras[0]).toMatchObject({ parentId: alien.id });
      const extra = await detail(extras[0].id);
      expect(extra.extraType).toBe('trailer');
    });

    it('never follows a symlink out of the library', async () => {
      const { rows } = await sql.query(`SELECT path FROM media_files WHERE path LIKE '%Secret%'`);
      expect(rows).toEqual([]);
    });

    it('probes every stream, fingerprints like Stash, and makes a thumbnail', async () => {
      const [alien] = (await items('movies', 'movie')).filter((film) => film.title === 'Alien');
      const full = await detail(alien.id);
      const [file] = full.files;
      expect(file.container).toBe('mkv');
      expect(file.durationMs).toBeGreaterThan(1500);
      expect(file.durationMs).toBeLessThan(2600);
      const types = file.streams.map((stream) => `${stream.type}:${stream.codec}`);
      expect(types).toEqual(expect.arrayContaining(['video:h264', 'audio:aac', 'subtitle:subrip']));
      const video = file.streams.find((stream) => stream.type === 'video')!;
      expect(video).toMatchObject({ width: 320, height: 240 });
      expect(video.frameRate).toBeCloseTo(25, 0);
      expect(file.streams.find((stream) => stream.type === 'audio')!.language).toBe('eng');
      const path = join(media, 'movies', 'Alien (1979) [imdbid-tt0078748]', 'Alien (1979).mkv');
      expect(file.md5).toBe(md5(path));
      expect(file.oshash).toBe(await oshash(path));
      expect(full.artwork.thumb).toBeDefined();
      expect(full.durationMs).toBe(file.durationMs);
    });

    it('fails the probe of a corrupt file with a clear error, and the worker goes on', async () => {
      const { rows } = await sql.query<{ state: string; error: string }>(
        `SELECT state, error FROM job_runs WHERE queue = 'media-probe' AND "targetLabel" = 'Broken (2020).mkv'`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].state).toBe('failed');
      expect(rows[0].error).toMatch(/Broken \(2020\)\.mkv/);
      const { rows: others } = await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM job_runs WHERE queue = 'media-probe' AND state = 'completed' AND "targetLabel" LIKE '%.mkv'`,
      );
      expect(others[0].n).toBeGreaterThanOrEqual(5);
    });
  });

  describe('probing again', () => {
    it('reprobe queues a streams-only probe of every present video file: what a newer probe records arrives, nothing else is redone', async () => {
      const movies = libraries.movies.id;
      const [alien] = (await items('movies', 'movie')).filter((film) => film.title === 'Alien');
      const [file] = (await detail(alien.id)).files;
      // As an earlier version left it: no rotation, no interlacing recorded.
      await sql.query(`UPDATE media_streams SET rotation = NULL WHERE "fileId" = $1 AND type = 'video'`, [file.id]);
      expect((await detail(alien.id)).files[0].streams[0]).toMatchObject({ type: 'video', rotation: null });
      const { rows: present } = await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM media_files WHERE "libraryId" = $1 AND "missingSince" IS NULL AND category IN ('video', 'audio') AND "archiveEntry" = ''`,
        [movies],
      );
      const since = new Date(Date.now() - 5);

      const response = await request(api.getHttpServer()).post(`/api/v1/libraries/${movies}/reprobe`).set(bearer(admin));
      expect(response.status).toBe(202);
      await waitFor(
        async () => {
          const { rows } = await sql.query<{ open: number; done: number }>(
            `SELECT count(*) FILTER (WHERE state IN ('queued', 'active'))::int AS open,
                    count(*) FILTER (WHERE id = $2 AND state = 'completed')::int AS done
             FROM job_runs WHERE "createdAt" >= $1`,
            [since, response.body.jobId],
          );
          return rows[0].open === 0 && rows[0].done === 1 ? true : undefined;
        },
        'the reprobe and its probes',
        60_000,
        250,
      );
      const { rows: jobs } = await sql.query<{ queue: string; name: string; state: string; payload: Record<string, unknown> }>(
        `SELECT queue, name, state, payload FROM job_runs WHERE "createdAt" >= $1 ORDER BY queue`,
        [since],
      );
      const reprobe = jobs.filter((job) => job.queue === 'library-maintenance');
      expect(reprobe).toEqual([
        { queue: 'library-maintenance', name: 'reprobe-library', state: 'completed', payload: { libraryId: movies } },
      ]);
      const probes = jobs.filter((job) => job.queue === 'media-probe');
      expect(probes).toHaveLength(present[0].n);
      expect(probes.every((job) => job.payload.streamsOnly === true)).toBe(true);
      // The corrupt film fails its probe again; every other one is probed.
      expect(probes.filter((job) => job.state === 'completed')).toHaveLength(present[0].n - 1);
      // Nothing downstream: no fingerprint, thumbnail, trickplay or subtitles job.
      expect(jobs.map((job) => job.queue).filter((queue) => queue !== 'media-probe' && queue !== 'library-maintenance')).toEqual([]);
      expect((await detail(alien.id)).files[0].streams[0]).toMatchObject({ type: 'video', rotation: 0, interlaced: false });
    });

    it('reprobe is for admins, and of a library that exists', async () => {
      await request(api.getHttpServer()).post(`/api/v1/libraries/${libraries.movies.id}/reprobe`).set(bearer(user)).expect(403);
      const missing = await request(api.getHttpServer())
        .post('/api/v1/libraries/00000000-0000-4000-8000-000000000000/reprobe')
        .set(bearer(admin));
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });

  describe('series', () => {
    it('builds series → seasons → episodes, with specials, multi-episode files and a locked NFO', async () => {
      const [show] = await items('series', 'series');
      expect(show).toMatchObject({ title: 'The Show', childCount: 2 });
      const full = await detail(show.id);
      expect(full.overview).toBe('A show about a show.');
      expect(full.lockedFields).toContain('*');
      const seasons = (await get(`items/${show.id}/children?sort=index`)).body.items as ItemSummary[];
      expect(seasons.map((season) => [season.title, season.indexNumber])).toEqual([
        ['Specials', 0],
        ['Season 1', 1],
      ]);
      const episodes = (await get(`items/${seasons[1].id}/children?sort=index`)).body.items as ItemSummary[];
      expect(episodes.map((episode) => [episode.title, episode.parentIndexNumber, episode.indexNumber, episode.indexNumberEnd])).toEqual([
        ['Pilot', 1, 1, null],
        ['Double', 1, 2, 3],
      ]);
    });
  });

  describe('music', () => {
    it('groups by tags: artist → album (several discs) → tracks; compilations under Various Artists', async () => {
      const artists = (await items('music', 'artist')).map((artist) => artist.title).sort();
      expect(artists).toEqual(['The Band', 'Various Artists']);
      const albums = await items('music', 'album');
      const hiRes = albums.find((album) => album.title === 'Hi-Res Album')!;
      expect(hiRes.year).toBe(2020);
      const tracks = (await get(`items/${hiRes.id}/children?sort=index`)).body.items as ItemSummary[];
      expect(tracks.map((track) => [track.title, track.parentIndexNumber, track.indexNumber])).toEqual([
        ['First', 1, 1],
        ['Second', 2, 1],
      ]);
      expect(tracks[0].artists).toEqual(['The Band', 'Guest']);
    });

    it('records bit depth and sample rate, and uses the folder cover over the embedded one', async () => {
      const [first] = (await items('music', 'track')).filter((track) => track.title === 'First');
      const full = await detail(first.id);
      const audio = full.files[0].streams.find((stream) => stream.type === 'audio')!;
      expect(audio).toMatchObject({ codec: 'flac', bitDepth: 24, sampleRate: 96000 });
      const { rows } = await sql.query<{ source: string }>(`SELECT source FROM item_artwork WHERE "itemId" = $1 AND kind = 'cover'`, [
        first.parentId,
      ]);
      expect(rows).toEqual([{ source: 'folder' }]);
    });

    it('takes an embedded cover when there is no folder art', async () => {
      const [hit] = (await items('music', 'track')).filter((track) => track.title === 'Hit');
      expect(hit).toBeDefined();
      const [compilation] = (await items('music', 'album')).filter((album) => album.title === 'Now 1');
      expect(compilation.parentId).toBe((await items('music', 'artist')).find((artist) => artist.title === 'Various Artists')!.id);
    });
  });

  describe('images', () => {
    it('makes galleries of folders and archives, with dimensions read by sharp', async () => {
      const galleries = await items('images', 'gallery');
      expect(galleries.map((gallery) => gallery.title).sort()).toEqual(['Comic', 'Trip']);
      const trip = galleries.find((gallery) => gallery.title === 'Trip')!;
      const pictures = (await get(`items/${trip.id}/children?sort=title`)).body.items as ItemSummary[];
      expect(pictures.map((picture) => picture.title)).toEqual(['a', 'b']);
      const a = await detail(pictures[0].id);
      expect(a.files[0]).toMatchObject({ width: 320, height: 200 });
      const comic = galleries.find((gallery) => gallery.title === 'Comic')!;
      const pages = (await get(`items/${comic.id}/children?sort=index`)).body.items as ItemSummary[];
      const pageFiles = await Promise.all(pages.map(async (page) => (await detail(page.id)).files[0].archiveEntry));
      expect(pageFiles).toEqual(['2.jpg', '10.jpg']);
      expect((await detail(pages[0].id)).files[0]).toMatchObject({ width: 320, height: 200 });
    });
  });

  describe('rescans', () => {
    it('an unchanged library costs no probe', async () => {
      const { rows: before } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM job_runs WHERE queue = 'media-probe'`);
      const summary = await scan('movies');
      expect(summary).toMatchObject({ added: 0, changed: 0, moved: 0, missing: 0 });
      expect(summary.unchanged).toBe(summary.files);
      const { rows: after } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM job_runs WHERE queue = 'media-probe'`);
      expect(after[0].n).toBe(before[0].n);
    });

    it('a moved film keeps its item, its users’ data and its edits', async () => {
      const [amelie] = (await items('movies', 'movie')).filter((film) => film.title === 'Amélie');
      await sql.query(`INSERT INTO user_item_data ("userId", "itemId", "positionMs", favorite) VALUES ($1, $2, 61000, true)`, [
        user.id,
        amelie.id,
      ]);
      const patch = await request(api.getHttpServer())
        .patch(`/api/v1/items/${amelie.id}`)
        .set(bearer(admin))
        .send({ title: 'Le Fabuleux Destin' });
      expect(patch.status).toBe(200);
      const from = join(media, 'movies', 'Amélie (2001)');
      const to = join(media, 'movies', 'Archive', 'Amelie 2001');
      mkdirSync(dirname(to), { recursive: true });
      renameSync(from, to);
      const summary = await scan('movies');
      expect(summary).toMatchObject({ added: 0, moved: 1, missing: 0 });
      const moved = await detail(amelie.id);
      expect(moved.title).toBe('Le Fabuleux Destin');
      expect(moved.files[0].relativePath).toBe('Archive/Amelie 2001/Amélie (2001).mkv');
      expect(moved.missing).toBe(false);
      expect(moved.parentId).toBeNull();
      // The film now belongs to its new folder: a part added there joins it.
      const { rows } = await sql.query<{ groupKey: string }>(`SELECT "groupKey" FROM media_items WHERE id = $1`, [amelie.id]);
      expect(rows[0].groupKey).toMatch(/^movie:Archive\/Amelie 2001::/);
      const mine = (await get(`items/${amelie.id}`, user)).body as ItemDetail;
      expect(mine.userData).toMatchObject({ positionMs: 61000, favorite: true });
    });

    it('a moved episode keeps its item and its users’ data, and hangs under the season its new place names', async () => {
      const [show] = await items('series', 'series');
      const [pilot] = (await items('series', 'episode')).filter((episode) => episode.title === 'Pilot');
      await sql.query(`INSERT INTO user_item_data ("userId", "itemId", "positionMs", favorite) VALUES ($1, $2, 12000, true)`, [
        user.id,
        pilot.id,
      ]);
      const seasonOf = (number: number) => join(media, 'series', 'The Show (2010)', `Season 0${number}`);
      mkdirSync(seasonOf(2));
      renameSync(join(seasonOf(1), 'The Show - S01E01 - Pilot.mkv'), join(seasonOf(2), 'The Show - S02E01 - Pilot.mkv'));
      const summary = await scan('series');
      expect(summary).toMatchObject({ added: 0, moved: 1, missing: 0 });
      const seasons = (await get(`items/${show.id}/children?sort=index`)).body.items as ItemSummary[];
      expect(seasons.map((season) => [season.title, season.indexNumber])).toEqual([
        ['Specials', 0],
        ['Season 1', 1],
        ['Season 2', 2],
      ]);
      const moved = await detail(pilot.id);
      expect(moved).toMatchObject({ title: 'Pilot', parentId: seasons[2].id, parentIndexNumber: 2, indexNumber: 1, missing: false });
      const left = (await get(`items/${seasons[1].id}/children?sort=index`)).body.items as ItemSummary[];
      expect(left.map((episode) => episode.title)).toEqual(['Double']);
      const mine = (await get(`items/${pilot.id}`, user)).body as ItemDetail;
      expect(mine.userData).toMatchObject({ positionMs: 12000, favorite: true });
    });

    it('a moved archive keeps its gallery and its pages’ items, with their users’ data', async () => {
      const [comic] = (await items('images', 'gallery')).filter((gallery) => gallery.title === 'Comic');
      const pages = (await get(`items/${comic.id}/children?sort=index`)).body.items as ItemSummary[];
      await sql.query(`INSERT INTO user_item_data ("userId", "itemId", favorite) VALUES ($1, $2, true), ($1, $3, true)`, [
        user.id,
        comic.id,
        pages[1].id,
      ]);
      mkdirSync(join(media, 'images', 'Shelf'));
      renameSync(join(media, 'images', 'Comic.cbz'), join(media, 'images', 'Shelf', 'Comic Vol 1.cbz'));
      const summary = await scan('images');
      expect(summary).toMatchObject({ added: 0, moved: 1, missing: 0 });
      const galleries = await items('images', 'gallery');
      expect(galleries.map((gallery) => gallery.title).sort()).toEqual(['Comic Vol 1', 'Trip']);
      expect(galleries.find((gallery) => gallery.title === 'Comic Vol 1')!.id).toBe(comic.id);
      const after = (await get(`items/${comic.id}/children?sort=index`)).body.items as ItemSummary[];
      expect(after.map((page) => page.id)).toEqual(pages.map((page) => page.id));
      const files = await Promise.all(after.map(async (page) => (await detail(page.id)).files[0]));
      expect(files.map((file) => [file.relativePath, file.archiveEntry])).toEqual([
        ['Shelf/Comic Vol 1.cbz', '2.jpg'],
        ['Shelf/Comic Vol 1.cbz', '10.jpg'],
      ]);
      expect(((await get(`items/${comic.id}`, user)).body as ItemDetail).userData).toMatchObject({ favorite: true });
      expect(((await get(`items/${pages[1].id}`, user)).body as ItemDetail).userData).toMatchObject({ favorite: true });
    });

    it('an archive changed in place gains its new pages, keeps the others’ items and loses the removed ones', async () => {
      const archive = join(media, 'images', 'Shelf', 'Comic Vol 1.cbz');
      const [comic] = (await items('images', 'gallery')).filter((gallery) => gallery.title === 'Comic Vol 1');
      const before = (await get(`items/${comic.id}/children?sort=index`)).body.items as ItemSummary[];
      expect(before.map((page) => page.title)).toEqual(['2', '10']);
      const picture = readFileSync(join(media, 'images', 'Trip', 'a.jpg'));
      const since = new Date(Date.now() - 5);
      await makeZip(archive, { '2.jpg': picture, '5.jpg': picture, 'notes.txt': 'not a page' });

      const summary = await scan('images');
      expect(summary).toMatchObject({ added: 0, changed: 1, moved: 0, missing: 1 });
      const after = (await get(`items/${comic.id}/children?sort=index`)).body.items as ItemSummary[];
      const present = after.filter((page) => !page.missing);
      expect(present.map((page) => [page.title, page.indexNumber])).toEqual([
        ['2', 1],
        ['5', 2],
      ]);
      expect(present[0].id).toBe(before[0].id);
      const removed = await detail(before[1].id);
      expect(removed).toMatchObject({ title: '10', missing: true, files: [] });
      const added = await detail(present[1].id);
      expect(added.files.map((file) => [file.relativePath, file.archiveEntry])).toEqual([['Shelf/Comic Vol 1.cbz', '5.jpg']]);
      const { rows: thumbnails } = await sql.query<{ label: string; state: string }>(
        `SELECT "targetLabel" AS label, state FROM job_runs WHERE queue = 'thumbnail' AND "createdAt" >= $1 ORDER BY 1`,
        [since],
      );
      expect(thumbnails).toEqual([
        { label: 'Comic Vol 1.cbz › 2.jpg', state: 'completed' },
        { label: 'Comic Vol 1.cbz › 5.jpg', state: 'completed' },
      ]);
      expect((await detail(comic.id)).missing).toBe(false);
    });

    it('a re-tagged track is regrouped: new title and album, edited fields kept, the emptied album marked missing', async () => {
      const [hit] = (await items('music', 'track')).filter((track) => track.title === 'Hit');
      const [now1] = (await items('music', 'album')).filter((album) => album.title === 'Now 1');
      const various = (await items('music', 'artist')).find((artist) => artist.title === 'Various Artists')!;
      await request(api.getHttpServer())
        .patch(`/api/v1/items/${hit.id}`)
        .set(bearer(admin))
        .send({ genres: ['Mine'] })
        .expect(200);
      await makeMp3(join(media, 'music', 'Compilations', 'Now', 'hit.mp3'), {
        tags: { title: 'Hit (Radio Edit)', artist: 'Someone / Else', album: 'Now 2', compilation: '1', genre: 'Pop' },
      });
      const summary = await scan('music');
      expect(summary).toMatchObject({ added: 0, changed: 1, moved: 0 });
      const albums = await items('music', 'album');
      expect(albums.map((album) => album.title).sort()).toEqual(['Hi-Res Album', 'Now 2']);
      const now2 = albums.find((album) => album.title === 'Now 2')!;
      expect(now2.parentId).toBe(various.id);
      const retagged = await detail(hit.id);
      expect(retagged).toMatchObject({ title: 'Hit (Radio Edit)', parentId: now2.id, genres: ['Mine'], missing: false });
      expect(retagged.artists).toEqual(['Someone', 'Else']);
      expect((await detail(now1.id)).missing).toBe(true);
    });

    it('records a corrupt track or archive with its reason and reads it again only once it changed', async () => {
      const track = join(media, 'music', 'Broken', 'broken.flac');
      const archive = join(media, 'images', 'Broken.cbz');
      await makeCorrupt(track);
      await makeCorrupt(archive);
      const unreadable = async () =>
        (await sql.query<{ path: string; reason: string }>(`SELECT path, reason FROM unreadable_files ORDER BY path`)).rows;

      let music = await scan('music');
      expect(music).toMatchObject({ added: 0, failed: 1, unreadable: 0 });
      expect(music.unreadableFiles).toEqual([
        { path: track, reason: expect.stringMatching(/^could not read audio tags from .*broken\.flac: ./) },
      ]);
      let images = await scan('images');
      expect(images).toMatchObject({ added: 0, failed: 1, unreadable: 0 });
      expect(images.unreadableFiles).toEqual([
        { path: archive, reason: expect.stringMatching(/^could not read the zip archive .*Broken\.cbz: ./) },
      ]);
      expect((await unreadable()).map((row) => row.path)).toEqual([archive, track].sort());

      // Unchanged: not read again, still named in the scan's result.
      music = await scan('music');
      expect(music).toMatchObject({ added: 0, failed: 0, unreadable: 1 });
      expect(music.unreadableFiles).toEqual([{ path: track, reason: expect.stringContaining('broken.flac') }]);
      images = await scan('images');
      expect(images).toMatchObject({ added: 0, failed: 0, unreadable: 1 });

      // Mended: read again, catalogued, and no longer recorded.
      await makeFlac(track, { tags: { title: 'Mended', artist: 'Fixer', album: 'Repairs' } });
      music = await scan('music');
      expect(music).toMatchObject({ added: 1, failed: 0, unreadable: 0, unreadableFiles: [] });
      expect((await items('music', 'track')).map((item) => item.title)).toContain('Mended');
      rmSync(archive);
      images = await scan('images');
      expect(images).toMatchObject({ failed: 0, unreadable: 0, missing: 0 });
      expect(await unreadable()).toEqual([]);
    });

    it('catalogues a file too small to hash, fails its probe once with the reason, and leaves it alone while unchanged', async () => {
      const path = join(media, 'movies', 'Tiny (2020).mkv');
      writeFileSync(path, 'tiny');
      expect(await scan('movies')).toMatchObject({ added: 1, failed: 0 });
      const { rows } = await sql.query<{ oshash: string | null }>(`SELECT oshash FROM media_files WHERE path = $1`, [path]);
      expect(rows).toEqual([{ oshash: null }]);
      const probes = async () =>
        (
          await sql.query<{ state: string; error: string }>(
            `SELECT state, error FROM job_runs WHERE queue = 'media-probe' AND "targetLabel" = 'Tiny (2020).mkv'`,
          )
        ).rows;
      expect(await probes()).toEqual([{ state: 'failed', error: expect.stringContaining('Tiny (2020).mkv') }]);
      expect(await scan('movies')).toMatchObject({ added: 0, changed: 0, failed: 0 });
      expect(await probes()).toHaveLength(1);
    });

    it('a deleted file marks its item missing (hidden, not deleted) and its return restores it', async () => {
      const [matrix] = (await items('movies', 'movie')).filter((film) => film.title === 'The Matrix');
      const path = join(media, 'movies', 'The.Matrix.1999.1080p.BluRay.x264-GRP.mp4');
      renameSync(path, join(tmpdir(), `matrix-${process.pid}.mp4`));
      let summary = await scan('movies');
      expect(summary.missing).toBe(1);
      expect((await items('movies', 'movie')).map((film) => film.id)).not.toContain(matrix.id);
      expect((await detail(matrix.id)).missing).toBe(true);
      renameSync(join(tmpdir(), `matrix-${process.pid}.mp4`), path);
      summary = await scan('movies');
      expect(summary.restored).toBe(1);
      expect((await detail(matrix.id)).missing).toBe(false);
    });

    it('a changed file is probed again', async () => {
      const path = join(media, 'movies', 'Kill Bill (2003)', 'Kill Bill (2003) - cd2.mkv');
      await makeVideo(path, { seconds: 2, source: 'mandelbrot' });
      const summary = await scan('movies');
      expect(summary.changed).toBe(1);
      const { rows } = await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM job_runs
         WHERE queue = 'media-probe' AND "targetLabel" = 'Kill Bill (2003) - cd2.mkv' AND payload->>'streamsOnly' IS NULL`,
      );
      // Its first probe and this one (the library's reprobe above is not a scan's).
      expect(rows[0].n).toBe(2);
      const [killBill] = (await items('movies', 'movie')).filter((film) => film.title === 'Kill Bill');
      expect((await detail(killBill.id)).durationMs).toBeGreaterThan(2500);
    });

    it('an edited NFO is applied again on rescan, but never over a locked field', async () => {
      const [alien] = (await items('movies', 'movie')).filter((film) => film.title === 'Alien');
      await request(api.getHttpServer()).patch(`/api/v1/items/${alien.id}`).set(bearer(admin)).send({ overview: 'Mine.' }).expect(200);
      const nfo = join(media, 'movies', 'Alien (1979) [imdbid-tt0078748]', 'movie.nfo');
      writeFileSync(nfo, MOVIE_NFO.replace('<title>Alien</title>', '<title>Alien (Director’s Cut)</title>').replace('Horror', 'Thriller'));
      await scan('movies');
      const full = await detail(alien.id);
      expect(full.title).toBe('Alien (Director’s Cut)');
      expect(full.genres).toEqual(['Thriller', 'Science Fiction']);
      expect(full.overview).toBe('Mine.');
    });
  });

  describe('libraries', () => {
    const create = (body: object) => request(api.getHttpServer()).post('/api/v1/libraries').set(bearer(admin)).send(body);

    it.each([
      ['a relative path', 'movies'],
      ['a path with ..', '/tmp/../etc'],
      ['a missing folder', '/definitely/not/here'],
      ['a file', '/etc/hostname'],
    ])('refuses %s with a clear 400', async (_what, folder) => {
      const response = await create({ name: 'Bad', kind: 'movies', folders: [folder] });
      expect(response.status).toBe(400);
      expect(response.body.detail).toContain(folder);
    });

    it('refuses the data dir and folders another library owns', async () => {
      expect((await create({ name: 'Data', kind: 'mixed', folders: [config.dataDir] })).body.detail).toMatch(/data directory/);
      const clash = await create({ name: 'Clash', kind: 'mixed', folders: [join(media, 'movies', 'Kill Bill (2003)')] });
      expect(clash.status).toBe(400);
      expect(clash.body.detail).toMatch(/already belongs to library/);
    });

    it('is for admins only', async () => {
      expect((await get('libraries', user)).status).toBe(403);
      expect((await get('libraries')).body.map((library: LibraryView) => library.id)).toEqual(
        expect.arrayContaining(Object.values(libraries).map((library) => library.id)),
      );
    });

    it('keeps a periodic scan per library in step with its interval', async () => {
      const queue = worker.get(QueueService).queue('library-scan');
      const id = libraries.images.id;
      const patch = (body: object) => request(api.getHttpServer()).patch(`/api/v1/libraries/${id}`).set(bearer(admin)).send(body);
      expect((await patch({ scanIntervalMinutes: 90 })).status).toBe(200);
      expect(await queue.getJobScheduler(`library-scan:${id}`)).toMatchObject({ every: 90 * 60_000, name: 'scan' });
      expect((await patch({ scanIntervalMinutes: 0 })).status).toBe(400);
      expect((await patch({ scanIntervalMinutes: null })).status).toBe(200);
      expect(await queue.getJobScheduler(`library-scan:${id}`)).toBeUndefined();
      const maintenance = await worker.get(QueueService).queue('library-maintenance').getJobSchedulers();
      expect(maintenance.map((scheduler) => scheduler.key)).toEqual(expect.arrayContaining(['clean-missing-items', 'evict-artwork-cache']));
    });

    it('the clean-up job deletes items missing for longer than the retention, and nothing else', async () => {
      const path = join(media, 'images', 'Trip', 'b.png');
      const [{ itemId }] = (await sql.query<{ itemId: string }>(`SELECT "itemId" FROM media_files WHERE path = $1`, [path])).rows;
      rmSync(path);
      expect((await scan('images')).missing).toBe(1);
      const housekeeping = worker.get(LibraryHousekeeping);
      expect(await housekeeping.cleanMissingItems()).toEqual({ filesRemoved: 0, itemsRemoved: 0 });
      await sql.query(`UPDATE media_files SET "missingSince" = now() - interval '31 days' WHERE path = $1`, [path]);
      await sql.query(`UPDATE media_items SET "missingSince" = now() - interval '31 days' WHERE id = $1`, [itemId]);
      expect(await housekeeping.cleanMissingItems()).toEqual({ filesRemoved: 1, itemsRemoved: 1 });
      expect((await get(`items/${itemId}`)).status).toBe(404);
      const [trip] = (await items('images', 'gallery')).filter((gallery) => gallery.title === 'Trip');
      expect(trip).toBeDefined();
    });

    it('with MARQUEE_LIBRARY_ROOTS, refuses folders outside them, also through a symlink, with a clear 400', async () => {
      const outside = mkdtempSync(join(tmpdir(), 'marquee-outside-roots-'));
      const inside = join(media, 'roots-test');
      mkdirSync(inside, { recursive: true });
      symlinkSync(outside, join(media, 'roots-test-link'));
      const rooted = await startApi(testConfig({ env: { MARQUEE_LIBRARY_ROOTS: media, JWT_SECRET: config.jwtSecret } }));
      try {
        const post = (folder: string) =>
          request(rooted.getHttpServer())
            .post('/api/v1/libraries')
            .set(bearer(admin))
            .send({ name: 'Rooted', kind: 'mixed', folders: [folder] });
        const refused = await post(outside);
        expect(refused.status).toBe(400);
        expect(refused.headers['content-type']).toContain('application/problem+json');
        expect(refused.body.detail).toBe(`Folder "${outside}" is outside the folders this server may serve (${realpathSync(media)})`);
        const viaLink = await post(join(media, 'roots-test-link'));
        expect(viaLink.status).toBe(400);
        expect(viaLink.body.detail).toContain(`resolves to "${realpathSync(outside)}", outside the folders this server may serve`);
        const accepted = await post(inside);
        expect(accepted.status).toBe(201);
        await request(rooted.getHttpServer()).delete(`/api/v1/libraries/${accepted.body.id}`).set(bearer(admin)).expect(204);
      } finally {
        await rooted.close();
        rmSync(join(media, 'roots-test-link'));
        rmSync(inside, { recursive: true, force: true });
        rmSync(outside, { recursive: true, force: true });
      }
    });

    it('MARQUEE_MEDIA_DIRS creates libraries at first start only', async () => {
      const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM libraries`);
      expect(rows[0].n).toBeGreaterThan(0);
      // The database already has libraries: a start with MARQUEE_MEDIA_DIRS adds none.
      const second = await startApi(testConfig({ env: { MARQUEE_MEDIA_DIRS: join(media, 'images') } }));
      const { rows: after } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM libraries`);
      expect(after[0].n).toBe(rows[0].n);
      await second.close();
    });
  });
});
