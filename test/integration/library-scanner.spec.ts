import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { type AppConfig, ConfigModule, DatabaseModule, QueueBackendModule } from '../../libs/core/src/index.js';
import { QueuesModule } from '../../libs/jobs/src/queues.module.js';
import { ArtworkModule } from '../../libs/library/src/artwork/artwork.module.js';
import { Library } from '../../libs/library/src/entities/library.entity.js';
import { MediaPipeline } from '../../libs/library/src/processing/media-pipeline.js';
import { LibraryScanner, type ScanSummary } from '../../libs/library/src/scanning/library-scanner.js';
import { SidecarMetadata } from '../../libs/library/src/scanning/sidecar-metadata.js';
import { SidecarWork } from '../../libs/library/src/scanning/sidecar-work.js';
import type { NfoMetadata } from '../../libs/media/src/index.js';
import { SettingsModule } from '../../libs/system/src/settings.module.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { ensureQueueSchema } from '../helpers/test-apps.js';
import { availableQueueBackends, testConfig } from '../helpers/test-config.js';

const FILMS = 450;
const SHOWS = 20;
const GALLERIES = 8;
const PHOTOS_PER_GALLERY = 50;

/**
 * The scanner on its own, on a library larger than one batch (500 files): it writes batch after
 * batch while it walks and reads the next, creates each batch's containers in one statement per
 * level and applies its NFOs in one transaction. No processors run: the per-file jobs are only queued.
 */
describe.each(availableQueueBackends())('library scanner, in batches (%s queue backend)', (backend) => {
  let config: AppConfig;
  let app: INestApplicationContext;
  let dataSource: DataSource;
  let scanner: LibraryScanner;
  let media: string;
  let library: Library;
  let made = 0;

  /** A tiny file with content of its own, so every file has its own oshash. */
  const write = (path: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `marquee test file ${made++} `.padEnd(64, '.'));
  };
  const filmDir = (film: number) => join(media, 'Films', `Film ${film} (${1950 + (film % 70)})`);
  const imdb = (film: number) => `tt${1_000_000 + film}`;
  const scan = async (): Promise<ScanSummary> =>
    scanner.scan(await dataSource.getRepository(Library).findOneByOrFail({ id: library.id }), {});
  const query = <T>(sql: string, parameters: unknown[] = []) => dataSource.query<T[]>(sql, parameters);

  beforeAll(async () => {
    media = mkdtempSync(join(tmpdir(), 'marquee-batches-'));
    for (let film = 0; film < FILMS; film++) {
      const dir = filmDir(film);
      write(join(dir, `Film ${film} (${1950 + (film % 70)}).mkv`));
      const lock = film === 7 ? '<lockdata>true</lockdata>' : '';
      const nfo =
        film === 13
          ? '<movie><title>Broken</movie>'
          : `<movie><title>Film ${film} from NFO</title><plot>Plot ${film}</plot><genre>Drama</genre><genre>Film ${film}</genre>
             <actor><name>Actor ${film}</name><role>Role ${film}</role></actor><director>Director ${film}</director>
             <uniqueid type="imdb">${imdb(film)}</uniqueid>${lock}</movie>`;
      writeFileSync(join(dir, 'movie.nfo'), nfo);
      if (film % 10 === 0) write(join(dir, 'Trailers', `Film ${film} trailer.mkv`));
    }
    await makeImage(join(filmDir(13), 'poster.jpg'), { width: 40, height: 60 });
    for (let show = 0; show < SHOWS; show++) {
      const dir = join(media, 'Series', `Show ${show}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'tvshow.nfo'), `<tvshow><title>Show ${show} from NFO</title><plot>About show ${show}</plot></tvshow>`);
      for (const season of [1, 2])
        for (let episode = 1; episode <= 12; episode++)
          write(join(dir, `Season 0${season}`, `Show ${show} - S0${season}E${String(episode).padStart(2, '0')} - Episode.mkv`));
    }
    // A multi-episode file whose NFO describes its second episode first: both entries are used, in episode order.
    const double = join(media, 'Series', 'Show 0', 'Season 01', 'Show 0 - S01E13E14 - Double');
    write(`${double}.mkv`);
    writeFileSync(
      `${double}.nfo`,
      `<episodedetails><title>Fourteen</title><season>1</season><episode>14</episode><plot>Then the other</plot></episodedetails>
       <episodedetails><title>Thirteen</title><season>1</season><episode>13</episode><plot>Two at once</plot></episodedetails>`,
    );
    for (let gallery = 0; gallery < GALLERIES; gallery++)
      for (let photo = 0; photo < PHOTOS_PER_GALLERY; photo++)
        write(join(media, 'Photos', `Trip ${gallery}`, `IMG_${String(photo).padStart(4, '0')}.jpg`));

    config = testConfig({ queueBackend: backend });
    await ensureQueueSchema(config);
    @Module({
      imports: [ConfigModule.forRoot(config), DatabaseModule, QueueBackendModule, QueuesModule, SettingsModule, ArtworkModule],
      providers: [LibraryScanner, SidecarWork, SidecarMetadata, MediaPipeline],
    })
    class ScannerOnlyModule {}
    app = await NestFactory.createApplicationContext(ScannerOnlyModule, { bufferLogs: true, abortOnError: false });
    dataSource = app.get(DataSource);
    scanner = app.get(LibraryScanner);
    library = await dataSource.getRepository(Library).save({ name: `Batches ${backend} ${process.pid}`, kind: 'mixed', folders: [media] });
  }, 120_000);

  afterAll(async () => {
    if (library) await dataSource.getRepository(Library).delete({ id: library.id });
    await app?.close();
    rmSync(media, { recursive: true, force: true });
  });

  const videos = FILMS + FILMS / 10 + SHOWS * 24 + 1;
  const images = GALLERIES * PHOTOS_PER_GALLERY;

  it('writes every file of a first scan across batches, each in its place, and queues its jobs once', async () => {
    const summary = await scan();
    expect(summary).toMatchObject({ files: videos + images, added: videos + images, failed: 0, missing: 0, moved: 0 });

    const counts = await query<{ type: string; n: number; orphans: number }>(
      `SELECT type, count(*)::int AS n, count(*) FILTER (WHERE "parentId" IS NULL)::int AS orphans
       FROM media_items WHERE "libraryId" = $1 GROUP BY type`,
      [library.id],
    );
    expect(Object.fromEntries(counts.map((row) => [row.type, [row.n, row.orphans]]))).toEqual({
      movie: [FILMS, FILMS],
      extra: [FILMS / 10, 0],
      series: [SHOWS, SHOWS],
      season: [SHOWS * 2, 0],
      episode: [SHOWS * 24 + 1, 0],
      gallery: [GALLERIES, GALLERIES],
      image: [images, 0],
    });
    // Each extra hangs under the film of the folder above it, wherever the batch boundaries fell.
    const misplaced = await query(
      `SELECT e.title FROM media_items e JOIN media_files ef ON ef."itemId" = e.id
       JOIN media_items p ON p.id = e."parentId" JOIN media_files pf ON pf."itemId" = p.id
       WHERE e."libraryId" = $1 AND e.type = 'extra' AND ef.folder <> pf.folder || '/Trailers'`,
      [library.id],
    );
    expect(misplaced).toEqual([]);
    const seasons = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM media_items s JOIN media_items p ON p.id = s."parentId" WHERE s."libraryId" = $1 AND s.type = 'season' AND p.type = 'series'`,
      [library.id],
    );
    expect(seasons[0].n).toBe(SHOWS * 2);

    const jobs = await query<{ queue: string; n: number; files: number }>(
      `SELECT queue, count(*)::int AS n, count(DISTINCT payload->>'fileId')::int AS files FROM job_runs
       WHERE "targetId" IN (SELECT id::text FROM media_items WHERE "libraryId" = $1) GROUP BY queue`,
      [library.id],
    );
    expect(Object.fromEntries(jobs.map((row) => [row.queue, [row.n, row.files]]))).toEqual({
      'media-probe': [videos, videos],
      thumbnail: [images, images],
      fingerprint: [images, images],
    });
  });

  it('applies every NFO of every batch: titles, plots, genres, people, merged ids, <lockdata>', async () => {
    const films = await query<{
      title: string;
      overview: string | null;
      genres: string[];
      people: object[];
      providerIds: Record<string, string>;
      lockedFields: string[];
      folder: string;
    }>(
      `SELECT i.title, i.overview, i.genres, i.people, i."providerIds", i."lockedFields", f.folder
       FROM media_items i JOIN media_files f ON f."itemId" = i.id WHERE i."libraryId" = $1 AND i.type = 'movie'`,
      [library.id],
    );
    expect(films).toHaveLength(FILMS);
    for (const film of films) {
      const number = Number(/Film (\d+) \(/.exec(film.folder)![1]);
      if (number === 13) {
        // A broken NFO leaves the film as its folder names it.
        expect(film).toMatchObject({ title: 'Film 13', overview: null, genres: [], lockedFields: [] });
        continue;
      }
      expect(film).toMatchObject({
        title: `Film ${number} from NFO`,
        overview: `Plot ${number}`,
        genres: ['Drama', `Film ${number}`],
        providerIds: { imdb: imdb(number) },
        lockedFields: number === 7 ? ['*'] : [],
      });
      expect(film.people).toEqual(
        expect.arrayContaining([
          { name: `Actor ${number}`, role: 'actor', character: `Role ${number}` },
          { name: `Director ${number}`, role: 'director' },
        ]),
      );
    }
    // The trigger kept the search document in step with the NFO's title and people.
    const found = await query<{ title: string }>(
      `SELECT title FROM media_items WHERE "libraryId" = $1 AND "searchVector" @@ to_tsquery('simple', 'actor & 321')`,
      [library.id],
    );
    expect(found).toEqual([{ title: 'Film 321 from NFO' }]);

    const series = await query<{ title: string; overview: string }>(
      `SELECT title, overview FROM media_items WHERE "libraryId" = $1 AND type = 'series' ORDER BY title`,
      [library.id],
    );
    expect(series).toHaveLength(SHOWS);
    for (const show of series) expect(show.overview).toBe(`About show ${/Show (\d+)/.exec(show.title)![1]}`);

    const [double] = await query<{ title: string; overview: string; indexNumber: number; indexNumberEnd: number }>(
      `SELECT i.title, i.overview, i."indexNumber", i."indexNumberEnd" FROM media_items i JOIN media_files f ON f."itemId" = i.id
       WHERE i."libraryId" = $1 AND f.path LIKE '%S01E13E14%'`,
      [library.id],
    );
    expect(double).toEqual({
      title: 'Thirteen / Fourteen',
      overview: 'Two at once\n\nThen the other',
      indexNumber: 13,
      indexNumberEnd: 14,
    });
  });

  it('still takes the folder art of a film whose NFO is broken', async () => {
    const rows = await query<{ kind: string; source: string }>(
      `SELECT a.kind, a.source FROM item_artwork a JOIN media_items i ON i.id = a."itemId" WHERE i."libraryId" = $1`,
      [library.id],
    );
    expect(rows).toEqual([{ kind: 'poster', source: 'folder' }]);
  });

  it('rescans an unchanged library without writing or queueing anything', async () => {
    const jobs = async () =>
      (
        await query<{ n: number }>(
          `SELECT count(*)::int AS n FROM job_runs WHERE "targetId" IN (SELECT id::text FROM media_items WHERE "libraryId" = $1)`,
          [library.id],
        )
      )[0].n;
    const before = await jobs();
    const summary = await scan();
    expect(summary).toMatchObject({ files: videos + images, unchanged: videos + images, added: 0, changed: 0, missing: 0 });
    expect(await jobs()).toBe(before);
  });

  it('a file moved between two folders that both remain keeps its item and is not marked missing', async () => {
    const from = join(media, 'Photos', 'Trip 0', 'IMG_0001.jpg');
    const to = join(media, 'Photos', 'Trip 1', 'IMG_0001 moved.jpg');
    const [original] = await query<{ id: string; itemId: string }>(`SELECT id, "itemId" FROM media_files WHERE path = $1`, [from]);
    renameSync(from, to);
    const summary = await scan();
    expect(summary).toMatchObject({ moved: 1, missing: 0, added: 0 });
    const [file] = await query<{ id: string; itemId: string; path: string; missingSince: Date | null }>(
      `SELECT id, "itemId", path, "missingSince" FROM media_files WHERE id = $1`,
      [original.id],
    );
    expect(file).toEqual({ ...original, path: to, missingSince: null });
    const [item] = await query<{ missingSince: Date | null; parentId: string }>(
      `SELECT "missingSince", "parentId" FROM media_items WHERE id = $1`,
      [original.itemId],
    );
    expect(item.missingSince).toBeNull();
    // It now hangs under the gallery of the folder it is in.
    const [gallery] = await query<{ id: string }>(
      `SELECT id FROM media_items WHERE "libraryId" = $1 AND type = 'gallery' AND title = 'Trip 1'`,
      [library.id],
    );
    expect(item.parentId).toBe(gallery.id);
  });

  it('a deleted file is marked missing, and only that one', async () => {
    const path = join(media, 'Photos', 'Trip 2', 'IMG_0002.jpg');
    rmSync(path);
    const summary = await scan();
    expect(summary).toMatchObject({ missing: 1, moved: 0, added: 0 });
    const missing = await query<{ path: string }>(`SELECT path FROM media_files WHERE "libraryId" = $1 AND "missingSince" IS NOT NULL`, [
      library.id,
    ]);
    expect(missing).toEqual([{ path }]);
  });

  it('a partial scan never follows a symlink out of the library folder', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'marquee-outside-'));
    try {
      write(join(outside, 'Secret (2000).mkv'));
      symlinkSync(outside, join(media, 'escape'));
      const summary = await scanner.scan(library, { paths: [join(media, 'escape'), join(media, 'escape', 'Secret (2000).mkv')] });
      expect(summary).toMatchObject({ files: 0, added: 0 });
      expect(await query(`SELECT path FROM media_files WHERE path LIKE '%Secret%'`)).toEqual([]);
    } finally {
      rmSync(join(media, 'escape'), { force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });

  describe('applying NFOs to many items at once', () => {
    const nfo = (fields: Partial<NfoMetadata>): NfoMetadata => ({
      kind: 'movie',
      genres: [],
      tags: [],
      studios: [],
      people: [],
      providerIds: {},
      locked: false,
      ...fields,
    });
    const full = nfo({
      title: 'New title',
      originalTitle: 'Original',
      sortTitle: 'Sort',
      year: 1999,
      plot: 'New plot',
      tagline: 'Tagline',
      premiered: '1999-03-31',
      genres: ['Action', 'Sci-Fi'],
      tags: ['tag'],
      studios: ['Studio'],
      people: [{ name: 'Keanu Reeves', role: 'actor', character: 'Neo' }],
      rating: 8.7,
      mpaa: 'R',
      providerIds: { imdb: 'tt0133093' },
    });

    async function item(lockedFields: string[], providerIds: Record<string, string> = {}): Promise<string> {
      const [row] = await query<{ id: string }>(
        `INSERT INTO media_items ("libraryId", type, title, overview, "lockedFields", "providerIds") VALUES ($1, 'movie', 'Old title', 'Old plot', $2, $3) RETURNING id`,
        [library.id, lockedFields, JSON.stringify(providerIds)],
      );
      return row.id;
    }
    const read = async (id: string) =>
      (
        await query<Record<string, unknown>>(
          `SELECT title, "originalTitle", "sortTitle", year, overview, tagline, "premiereDate"::text, genres, tags, studios, people,
                  "communityRating", "officialRating", "providerIds", "lockedFields"
           FROM media_items WHERE id = $1`,
          [id],
        )
      )[0];

    it('keeps every rule per item: field locks, * locks, provider id merges, <lockdata>, later entries over earlier ones', async () => {
      const open = await item([], { tmdb: '603' });
      const titleLocked = await item(['title']);
      const allLocked = await item(['*']);
      const idsLocked = await item(['providerIds'], { tmdb: '603' });
      const lockedByNfo = await item([]);
      const twice = await item([]);
      const metadata = app.get(SidecarMetadata);
      const written = await metadata.applyNfos([
        { itemId: open, nfo: full },
        { itemId: titleLocked, nfo: full },
        { itemId: allLocked, nfo: full },
        { itemId: idsLocked, nfo: nfo({ genres: ['Drama'], providerIds: { imdb: 'tt1' } }) },
        { itemId: lockedByNfo, nfo: nfo({ title: 'Locked by its NFO', locked: true }) },
        { itemId: twice, nfo: nfo({ title: 'First', plot: 'First plot' }) },
        { itemId: twice, nfo: nfo({ title: 'Second' }) },
        { itemId: '00000000-0000-4000-8000-000000000000', nfo: full },
      ]);

      const everything = {
        title: 'New title',
        originalTitle: 'Original',
        sortTitle: 'Sort',
        year: 1999,
        overview: 'New plot',
        tagline: 'Tagline',
        premiereDate: '1999-03-31',
        genres: ['Action', 'Sci-Fi'],
        tags: ['tag'],
        studios: ['Studio'],
        people: [{ name: 'Keanu Reeves', role: 'actor', character: 'Neo' }],
        communityRating: 8.7,
        officialRating: 'R',
      };
      expect(await read(open)).toEqual({ ...everything, providerIds: { tmdb: '603', imdb: 'tt0133093' }, lockedFields: [] });
      expect(await read(titleLocked)).toEqual({
        ...everything,
        title: 'Old title',
        providerIds: { imdb: 'tt0133093' },
        lockedFields: ['title'],
      });
      expect(await read(allLocked)).toMatchObject({
        title: 'Old title',
        overview: 'Old plot',
        genres: [],
        providerIds: {},
        lockedFields: ['*'],
      });
      expect(await read(idsLocked)).toMatchObject({ genres: ['Drama'], providerIds: { tmdb: '603' }, lockedFields: ['providerIds'] });
      expect(await read(lockedByNfo)).toMatchObject({ title: 'Locked by its NFO', lockedFields: ['*'] });
      expect(await read(twice)).toMatchObject({ title: 'Second', overview: 'First plot' });
      expect(written.get(allLocked)).toBeUndefined();
      expect(written.get(titleLocked)).not.toContain('title');
      expect(written.has('00000000-0000-4000-8000-000000000000')).toBe(false);
    });

    it('an NFO applied again over an unchanged item writes only the provider ids', async () => {
      const id = await item([]);
      const metadata = app.get(SidecarMetadata);
      await metadata.applyNfos([{ itemId: id, nfo: full }]);
      const again = await metadata.applyNfos([{ itemId: id, nfo: full }]);
      expect(again.get(id)).toEqual(['providerIds']);
    });
  });
});
