import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ItemDetail, ItemSummary, LibraryView } from '@marquee/contracts';
import pg from 'pg';
import sharp from 'sharp';
import request from 'supertest';
import { JobLedger } from '../../libs/jobs/src/index.js';
import { LibraryWatcher } from '../../libs/library/src/watching/library-watcher.service.js';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { makeColorVideo, makeCorrupt, makeFlac, makeImage, makeMp3, makeVideo, makeWav } from '../helpers/media-fixtures.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';
import { waitForScanAndJobs } from '../helpers/wait-for-scan.js';

const md5 = (path: string) => createHash('md5').update(readFileSync(path)).digest('hex');

const MUSICBRAINZ_ALBUM = '0b6f3e4c-1f6a-4b8e-9f0e-2d7f4c2a9b11';

/** The colour of the middle pixel of a picture, decoded with sharp. */
async function middlePixel(picture: Buffer): Promise<[number, number, number]> {
  const { data, info } = await sharp(picture).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
  return [data[at], data[at + 1], data[at + 2]];
}

const expectColour = (actual: [number, number, number], expected: [number, number, number], tolerance = 24) => {
  const far = actual.some((value, i) => Math.abs(value - expected[i]) > tolerance);
  if (far) throw new Error(`expected a colour near rgb(${expected.join(', ')}), got rgb(${actual.join(', ')})`);
};

/**
 * Where films, episodes and tracks end up in the catalogue, and what the per-file jobs leave there,
 * after real scans of generated media by a real worker (one api, one worker, one set of libraries).
 */
describe('library catalogue', () => {
  let db: ScratchDatabase;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let admin: TestAccount;
  let user: TestAccount;
  let sql: pg.Client;
  let media: string;
  let scratch: string;
  const libraries: Record<'movies' | 'series' | 'music', LibraryView> = {} as never;

  const http = () => request(api.getHttpServer());
  const get = (path: string, account: TestAccount = admin) => http().get(`/api/v1/${path}`).set(bearer(account));
  /** Database time, so "since" and the ledger's createdAt come from one clock. */
  const now = async () => (await sql.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0].now;

  async function items(kind: keyof typeof libraries, type: string): Promise<ItemSummary[]> {
    const response = await get(`items?libraryId=${libraries[kind].id}&type=${type}&limit=500`);
    expect(response.status).toBe(200);
    return response.body.items;
  }
  async function children(id: string): Promise<ItemSummary[]> {
    const response = await get(`items/${id}/children?sort=index&limit=500`);
    expect(response.status).toBe(200);
    return response.body.items;
  }
  const detail = async (id: string): Promise<ItemDetail> => (await get(`items/${id}`)).body;
  async function one(kind: keyof typeof libraries, type: string, title: string): Promise<ItemSummary> {
    const found = (await items(kind, type)).filter((item) => item.title === title);
    expect([title, found.length]).toEqual([title, 1]);
    return found[0];
  }
  /** The bytes of an item's picture, fetched through the artwork route. */
  async function artwork(url: string | undefined): Promise<Buffer> {
    expect(url).toBeDefined();
    const response = await http()
      .get(url!)
      .set(bearer(admin))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(response.status).toBe(200);
    return response.body as Buffer;
  }
  const itemOfFile = async (path: string) =>
    (await sql.query<{ itemId: string }>(`SELECT "itemId" FROM media_files WHERE path = $1`, [path])).rows[0]?.itemId;

  beforeAll(async () => {
    media = realpathSync(mkdtempSync(join(tmpdir(), 'marquee-catalogue-')));
    scratch = mkdtempSync(join(tmpdir(), 'marquee-catalogue-scratch-'));

    const movies = join(media, 'movies');
    await makeVideo(join(movies, 'Heat (1995)', 'Heat (1995).mkv'), { seconds: 1, width: 160, height: 120, audio: false });
    writeFileSync(
      join(movies, 'Heat (1995)', 'Heat (1995).nfo'),
      `<movie><title>Heat</title><plot>A crew of thieves and the detective after them.</plot><genre>Crime</genre><uniqueid type="tmdb">949</uniqueid></movie>`,
    );
    await makeVideo(join(movies, 'The.Thing.1982.1080p.BluRay.x264-GRP.mkv'), { seconds: 1, width: 160, height: 120, audio: false });
    writeFileSync(
      join(movies, 'The.Thing.1982.1080p.BluRay.x264-GRP.nfo'),
      `<movie><title>The Thing</title><plot>Antarctica, 1982.</plot><genre>Horror</genre></movie>`,
    );
    // Red for the first 5 %, green until 20 %, blue after: the colour of a frame says where it was taken.
    await makeColorVideo(join(movies, 'Colours (2021)', 'Colours (2021).mkv'), [
      { color: 'red', seconds: 0.2 },
      { color: 'lime', seconds: 0.6 },
      { color: 'blue', seconds: 3.2 },
    ]);
    await makeVideo(join(movies, 'Short (2019)', 'Short (2019).mkv'), { seconds: 1, width: 160, height: 120, audio: false });
    await makeCorrupt(join(movies, 'Broken (2020)', 'Broken (2020).mkv'), 'truncated-mkv');
    await makeCorrupt(join(movies, 'Noise (2020)', 'Noise (2020).mkv'), 'garbage');
    await makeCorrupt(join(movies, 'Cut (2020)', 'Cut (2020).mp4'), 'truncated-mp4');

    const series = join(media, 'series');
    const episode = (path: string) => makeVideo(join(series, path), { seconds: 1, width: 160, height: 120, audio: false });
    await episode('Old Show [tvdbid-73244]/Season 1/1x02 - Pilot.mkv');
    await episode('Old Show [tvdbid-73244]/Specials/01 - Christmas.mkv');
    await episode('One Piece/One Piece - 1000.mkv');
    await episode('One Piece/One Piece - 1001.mkv');
    await episode('The Daily Show/The Daily Show - 2024-03-15 - Guest.mkv');

    const music = join(media, 'music');
    // No folder art beside it: its embedded picture (a red 64×64 JPEG) is the only cover.
    await makeMp3(join(music, 'Loose', 'Solo Artist - Lone.mp3'), {
      tags: { title: 'Lone', artist: 'Solo Artist', album: 'Embedded Album', genre: 'Ambient', date: '2019' },
      cover: true,
    });
    await makeFlac(join(music, 'Green', '01 Leaf.flac'), {
      tags: { title: 'Leaf', artist: 'Greens', album_artist: 'Greens', album: 'Green Album', date: '2018' },
      cover: true,
    });
    await makeImage(join(music, 'Green', 'folder.jpg'), { width: 100, height: 100, color: '#00ff00' });
    const mbAlbum = { artist: 'MB Band', album_artist: 'MB Band', date: '2010', MUSICBRAINZ_ALBUMID: MUSICBRAINZ_ALBUM };
    await makeFlac(join(music, 'MB Band', 'Greatest Hits', '01 One.flac'), {
      tags: { ...mbAlbum, title: 'One', album: 'Greatest Hits', track: '1' },
    });
    await makeFlac(join(music, 'Elsewhere', 'two.flac'), {
      tags: { ...mbAlbum, title: 'Two', album: 'Greatest Hits (Remastered)', track: '2' },
    });
    const live = { artist: 'Date Band', album_artist: 'Date Band', album: 'Live' };
    await makeFlac(join(music, 'Date Band', 'Live 2001', 'a.flac'), {
      tags: { ...live, title: 'Opening', date: '2001-05-01', track: '1' },
    });
    await makeFlac(join(music, 'Unsorted', 'b.flac'), { tags: { ...live, title: 'Encore', date: '2001-05-01', track: '2' } });
    await makeFlac(join(music, 'Date Band', 'Live 2005', 'c.flac'), {
      tags: { ...live, title: 'Reprise', date: '2005-06-01', track: '1' },
    });
    const double = { artist: 'Twin', album_artist: 'Twin', album: 'Double Album', date: '2015' };
    await makeFlac(join(music, 'Double', 'CD1', '01.flac'), { tags: { ...double, title: 'Side A', disc: '1/2', track: '1' } });
    await makeFlac(join(music, 'Double', 'CD2', '01.flac'), { tags: { ...double, title: 'Side B', disc: '2/2', track: '1' } });
    const depths = { artist: 'Bits', album: 'Depths' };
    await makeFlac(join(music, 'Bits', '16.flac'), { bits: 16, sampleRate: 44100, tags: { ...depths, title: 'Sixteen', track: '1' } });
    await makeFlac(join(music, 'Bits', '24.flac'), { bits: 24, sampleRate: 96000, tags: { ...depths, title: 'Twenty-Four', track: '2' } });
    await makeWav(join(music, 'Bits', '32.wav'), { bits: 32, sampleRate: 48000, tags: { ...depths, title: 'Thirty-Two', track: '3' } });

    db = await createScratchDatabase();
    const config = testConfig({ env: { DATABASE_URL: db.url } });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    api = await startApi(config);
    ({ admin, user } = await seedAccounts(api));
    const since = await now();
    for (const kind of ['movies', 'series', 'music'] as const) {
      const response = await http()
        .post('/api/v1/libraries')
        .set(bearer(admin))
        .send({ name: `Catalogue ${kind}`, kind, folders: [join(media, kind)] });
      expect(response.status).toBe(201);
      libraries[kind] = response.body;
    }
    // Started after the libraries exist, so its watcher watches them from the start.
    worker = await startWorker(config);
    await waitForScanAndJobs(sql, since, 240_000);
  }, 300_000);

  afterAll(async () => {
    await sql?.end();
    await worker?.close();
    await api?.close();
    await db?.drop();
    if (media) rmSync(media, { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  describe('music', () => {
    it('takes an MP3’s embedded cover as its album’s artwork when the folder has none', async () => {
      const album = await one('music', 'album', 'Embedded Album');
      const { rows } = await sql.query<{ source: string }>(`SELECT source FROM item_artwork WHERE "itemId" = $1 AND kind = 'cover'`, [
        album.id,
      ]);
      expect(rows).toEqual([{ source: 'embedded' }]);
      const picture = await artwork((await detail(album.id)).artwork.cover);
      const { format, width, height } = await sharp(picture).metadata();
      expect([format, width, height]).toEqual(['jpeg', 64, 64]);
      // makeMp3 embeds a #cc3333 square.
      expectColour(await middlePixel(picture), [0xcc, 0x33, 0x33]);
    });

    it('the audio-tags job records the format, and puts back the duration and genres from the tags', async () => {
      const path = join(media, 'music', 'Loose', 'Solo Artist - Lone.mp3');
      const fileId = (await sql.query<{ id: string }>(`SELECT id FROM media_files WHERE path = $1`, [path])).rows[0].id;
      const { rows: runs } = await sql.query<{ state: string; result: { durationMs: number } }>(
        `SELECT state, result FROM job_runs WHERE queue = 'audio-tags' AND payload->>'fileId' = $1`,
        [fileId],
      );
      expect(runs).toEqual([
        {
          state: 'completed',
          result: {
            durationMs: expect.any(Number),
            genres: ['Ambient'],
            bitDepth: null,
            sampleRate: 44100,
            codec: 'MPEG 1 Layer 3',
            lossless: false,
            cover: true,
          },
        },
      ]);
      expect(runs[0].result.durationMs).toBeGreaterThan(900);
      expect(runs[0].result.durationMs).toBeLessThan(1200);
      const [track] = (await items('music', 'track')).filter((item) => item.title === 'Lone');
      expect(track.genres).toEqual(['Ambient']);
      expect(track.durationMs).toBeGreaterThan(900);
      expect(track.durationMs).toBeLessThan(1200);

      // Lost fields come back from the tags when the job runs again.
      await sql.query(`UPDATE media_items SET genres = '{}', "durationMs" = NULL WHERE id = $1`, [track.id]);
      const { id } = await worker
        .get(JobLedger)
        .enqueue('audio-tags', 'audio-tags', { fileId }, { type: 'item', id: track.id, label: 'Solo Artist - Lone.mp3' });
      await waitFor(
        async () => ((await sql.query(`SELECT state FROM job_runs WHERE id = $1`, [id])).rows[0]?.state === 'completed' ? true : undefined),
        'the audio-tags job to run again',
        60_000,
      );
      const again = await detail(track.id);
      expect(again.genres).toEqual(['Ambient']);
      expect(again.durationMs).toBeGreaterThan(900);
      expect(again.durationMs).toBeLessThan(1200);
      // The album already had its cover: the same picture, not a second one.
      const { rows: covers } = await sql.query(`SELECT source FROM item_artwork WHERE "itemId" = $1 AND kind = 'cover'`, [track.parentId]);
      expect(covers).toEqual([{ source: 'embedded' }]);
    });

    it('a folder.jpg is the album’s cover, over the embedded picture', async () => {
      const album = await one('music', 'album', 'Green Album');
      const { rows } = await sql.query<{ source: string; path: string }>(
        `SELECT source, path FROM item_artwork WHERE "itemId" = $1 AND kind = 'cover'`,
        [album.id],
      );
      expect(rows).toEqual([{ source: 'folder', path: join(media, 'music', 'Green', 'folder.jpg') }]);
      expectColour(await middlePixel(await artwork((await detail(album.id)).artwork.cover)), [0, 0xff, 0]);
    });

    it('one MusicBrainz album id is one album, whatever the album names and folders say', async () => {
      const artist = await one('music', 'artist', 'MB Band');
      const albums = await children(artist.id);
      expect(albums).toHaveLength(1);
      expect((await detail(albums[0].id)).providerIds).toMatchObject({ musicbrainzAlbum: MUSICBRAINZ_ALBUM });
      expect((await children(albums[0].id)).map((track) => [track.title, track.indexNumber])).toEqual([
        ['One', 1],
        ['Two', 2],
      ]);
    });

    it('without MusicBrainz ids an album is its album artist + album + release date, wherever the files are', async () => {
      const artist = await one('music', 'artist', 'Date Band');
      const albums = (await children(artist.id)).sort((a, b) => (a.year ?? 0) - (b.year ?? 0));
      const described = await Promise.all(
        albums.map(async (album) => [album.title, album.year, (await children(album.id)).map((track) => track.title)]),
      );
      expect(described).toEqual([
        ['Live', 2001, ['Opening', 'Encore']],
        ['Live', 2005, ['Reprise']],
      ]);
    });

    it('an album without album artist or compilation flag goes under its track artist', async () => {
      const album = await one('music', 'album', 'Embedded Album');
      const artist = await one('music', 'artist', 'Solo Artist');
      expect(album.parentId).toBe(artist.id);
      expect((await items('music', 'artist')).map((item) => item.title)).not.toContain('Various Artists');
    });

    it('a multi-disc album in CD1/CD2 folders is one album, its tracks numbered by disc', async () => {
      const album = await one('music', 'album', 'Double Album');
      expect((await children(album.id)).map((track) => [track.title, track.parentIndexNumber, track.indexNumber])).toEqual([
        ['Side A', 1, 1],
        ['Side B', 2, 1],
      ]);
    });

    it('records bit depth and sample rate: 16- and 24-bit FLAC, 32-bit WAV', async () => {
      const album = await one('music', 'album', 'Depths');
      const tracks = await children(album.id);
      const formats = await Promise.all(
        tracks.map(async (track) => {
          const [file] = (await detail(track.id)).files;
          const audio = file.streams.find((stream) => stream.type === 'audio')!;
          return [track.title, audio.codec, audio.bitDepth, audio.sampleRate];
        }),
      );
      expect(formats).toEqual([
        ['Sixteen', 'flac', 16, 44100],
        ['Twenty-Four', 'flac', 24, 96000],
        ['Thirty-Two', 'pcm_s32le', 32, 48000],
      ]);
    });
  });

  describe('series', () => {
    it('puts 1x02 under its season and Specials/ under season 0, and keeps the series folder’s provider id', async () => {
      const show = await one('series', 'series', 'Old Show');
      expect((await detail(show.id)).providerIds).toEqual({ tvdb: '73244' });
      const seasons = await children(show.id);
      expect(seasons.map((season) => [season.type, season.title, season.indexNumber])).toEqual([
        ['season', 'Specials', 0],
        ['season', 'Season 1', 1],
      ]);
      const episodesOf = async (season: ItemSummary) =>
        (await children(season.id)).map((episode) => [episode.type, episode.title, episode.parentIndexNumber, episode.indexNumber]);
      expect(await episodesOf(seasons[0])).toEqual([['episode', 'Christmas', 0, 1]]);
      expect(await episodesOf(seasons[1])).toEqual([['episode', 'Pilot', 1, 2]]);
    });

    it('absolute-numbered and date-based episodes hang under their series, with no season', async () => {
      const onePiece = await one('series', 'series', 'One Piece');
      const episodes = await children(onePiece.id);
      expect(episodes.map((episode) => [episode.type, episode.title, episode.parentIndexNumber, episode.indexNumber])).toEqual([
        ['episode', 'Episode 1000', null, 1000],
        ['episode', 'Episode 1001', null, 1001],
      ]);
      expect((await detail(episodes[0].id)).absoluteNumber).toBe(1000);

      const daily = await one('series', 'series', 'The Daily Show');
      const [guest, ...others] = await children(daily.id);
      expect(others).toEqual([]);
      expect(guest).toMatchObject({ type: 'episode', title: 'Guest', parentIndexNumber: null, indexNumber: null });
      expect((await detail(guest.id)).premiereDate).toBe('2024-03-15');
      expect(await items('series', 'season')).toHaveLength(2);
    });
  });

  describe('films', () => {
    it('applies a film’s own <file>.nfo, in its folder and beside a release-named file', async () => {
      const heat = await detail((await one('movies', 'movie', 'Heat')).id);
      expect(heat).toMatchObject({
        year: 1995,
        overview: 'A crew of thieves and the detective after them.',
        genres: ['Crime'],
        providerIds: { tmdb: '949' },
      });
      const thing = await detail((await one('movies', 'movie', 'The Thing')).id);
      expect(thing).toMatchObject({ year: 1982, overview: 'Antarctica, 1982.', genres: ['Horror'] });
    });

    it('takes the thumbnail from about 10 % into the video', async () => {
      const film = await detail((await one('movies', 'movie', 'Colours')).id);
      expect(film.durationMs).toBeGreaterThan(3800);
      expect(film.durationMs).toBeLessThan(4200);
      // Red before 5 %, green from 5 % to 20 %, blue after: 10 % is green.
      expectColour(await middlePixel(await artwork(film.artwork.thumb)), [0, 0xff, 0], 40);
    });

    it.each([
      ['Broken (2020).mkv', 'a truncated mkv', /could not be decoded; the file is truncated or corrupt/],
      ['Noise (2020).mkv', 'random bytes', /Invalid data found when processing input/],
      ['Cut (2020).mp4', 'an mp4 without its index', /Invalid data found when processing input|moov atom not found/],
    ])('fails the probe of %s (%s) with ffprobe’s reason in the ledger', async (name, _what, reason) => {
      const { rows } = await sql.query<{ state: string; error: string; attempts: number }>(
        `SELECT state, error, attempts FROM job_runs WHERE queue = 'media-probe' AND "targetLabel" = $1`,
        [name],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].state).toBe('failed');
      expect(rows[0].error).toContain(name);
      expect(rows[0].error).toMatch(reason);
    });

    it('computes no video pHash by default; an admin turns it on through PATCH settings and the fingerprint job stores one', async () => {
      const { rows: before } = await sql.query(
        `SELECT path FROM media_files WHERE category = 'video' AND "fingerprintedAt" IS NOT NULL AND phash IS NOT NULL`,
      );
      expect(before).toEqual([]);
      expect((await get('settings')).body).toEqual({ registrationOpen: false, videoPhash: false });
      expect((await http().patch('/api/v1/settings').set(bearer(user)).send({ videoPhash: true })).status).toBe(403);
      const bad = await http().patch('/api/v1/settings').set(bearer(admin)).send({ videoPhash: 'yes' });
      expect(bad.status).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'videoPhash' })]);

      const on = await http().patch('/api/v1/settings').set(bearer(admin)).send({ videoPhash: true });
      expect([on.status, on.body]).toEqual([200, { registrationOpen: false, videoPhash: true }]);
      try {
        const since = await now();
        const path = join(media, 'movies', 'Hashed (2022)', 'Hashed (2022).mkv');
        await makeVideo(path, { seconds: 2, width: 160, height: 120, audio: false, source: 'mandelbrot' });
        expect((await http().post(`/api/v1/libraries/${libraries.movies.id}/scan`).set(bearer(admin))).status).toBe(202);
        await waitForScanAndJobs(sql, since);
        const film = await detail((await itemOfFile(path))!);
        expect(film.files[0].phash).toMatch(/^[0-9a-f]{16}$/);
        expect(film.files[0].md5).toBe(md5(path));
        const { rows: run } = await sql.query<{ result: { phash?: string } }>(
          `SELECT result FROM job_runs WHERE queue = 'fingerprint' AND state = 'completed' AND payload->>'fileId' = $1`,
          [film.files[0].id],
        );
        expect(run.map((row) => row.result.phash)).toEqual([film.files[0].phash]);
      } finally {
        await http().patch('/api/v1/settings').set(bearer(admin)).send({ videoPhash: false }).expect(200);
      }
    });

    it('an uploaded file is catalogued: its film, probe and fingerprint', async () => {
      const upload = join(scratch, 'upload.mp4');
      await makeVideo(upload, { seconds: 1, width: 160, height: 120, container: 'mp4', audio: false });
      const since = await now();
      const response = await http()
        .post(`/api/v1/libraries/${libraries.movies.id}/upload`)
        .set(bearer(admin))
        .attach('file', readFileSync(upload), 'Uploaded (2023).mp4');
      expect(response.status).toBe(201);
      await waitForScanAndJobs(sql, since);
      const stored = join(media, 'movies', 'Uploaded (2023).mp4');
      const film = await detail((await itemOfFile(stored))!);
      expect(film).toMatchObject({ type: 'movie', title: 'Uploaded', year: 2023, missing: false });
      expect(film.files).toHaveLength(1);
      expect(film.files[0].durationMs).toBeGreaterThan(800);
      expect(film.files[0].streams.map((stream) => `${stream.type}:${stream.codec}`)).toEqual(['video:h264']);
      expect(film.files[0].md5).toBe(md5(upload));
      expect(film.artwork.thumb).toBeDefined();
    });

    it('a catalogued file edited in place is picked up by the watcher and probed again', async () => {
      const watcher = worker.get(LibraryWatcher);
      await waitFor(
        async () => (watcher.status().libraries.some((library) => library.id === libraries.movies.id && library.ready) ? true : undefined),
        'the movies library to be watched',
        40_000,
      );
      const path = join(media, 'movies', 'Short (2019)', 'Short (2019).mkv');
      const film = await detail((await itemOfFile(path))!);
      expect(film.durationMs).toBeLessThan(1500);
      const longer = join(scratch, 'longer.mkv');
      await makeVideo(longer, { seconds: 3, width: 160, height: 120, audio: false, source: 'smptebars' });
      const since = await now();
      copyFileSync(longer, path);
      const scanId = await waitFor(
        async () =>
          (
            await sql.query<{ id: string }>(
              `SELECT id FROM job_runs WHERE queue = 'library-scan' AND payload->'paths' ? $1 AND "createdAt" >= $2`,
              [path, since],
            )
          ).rows[0]?.id,
        'the watcher to queue a scan of the edited file',
        40_000,
      );
      await waitForScanAndJobs(sql, since);
      const { rows } = await sql.query<{ result: Record<string, number> }>(`SELECT result FROM job_runs WHERE id = $1`, [scanId]);
      expect(rows[0].result).toMatchObject({ changed: 1, added: 0 });
      const edited = await detail(film.id);
      expect(edited.durationMs).toBeGreaterThan(2500);
      expect(edited.files[0].md5).toBe(md5(longer));
      const { rows: probes } = await sql.query(
        `SELECT id FROM job_runs WHERE queue = 'media-probe' AND "targetLabel" = 'Short (2019).mkv'`,
      );
      expect(probes).toHaveLength(2);
    });
  });
});
