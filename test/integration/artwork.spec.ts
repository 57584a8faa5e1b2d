import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type ItemDetail, PROBLEM_CONTENT_TYPE } from '@marquee/contracts';
import pg from 'pg';
import sharp from 'sharp';
import request from 'supertest';
import { ApiKeysService, StreamTokenService } from '../../libs/auth/src/index.js';
import type { AppConfig } from '../../libs/core/src/index.js';
import { ArtworkCacheEviction } from '../../libs/library/src/artwork/artwork-cache-eviction.js';
import { ArtworkStore } from '../../libs/library/src/artwork/artwork-store.js';
import { ArtworkService, artworkTokenWindow } from '../../libs/library/src/artwork/artwork.service.js';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { makeImage, makeZip } from '../helpers/media-fixtures.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';

const DAY_MS = 86_400_000;

/** supertest keeps binary bodies as Buffers with this parser. */
const binary = (res: request.Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('artwork', () => {
  let db: ScratchDatabase;
  let sql: pg.Client;
  let config: AppConfig;
  let api: NestExpressApplication;
  let admin: TestAccount;
  let user: TestAccount;
  let media: string;
  let outside: string;
  let libraryId: string;
  const id: Record<string, string> = {};

  const http = () => request(api.getHttpServer());
  const fetchImage = (url: string, headers: Record<string, string> = {}) => http().get(url).set(headers).buffer(true).parse(binary);
  const artwork = () => api.get(ArtworkService);
  const artRow = async (itemId: string, kind: string) =>
    (await sql.query(`SELECT * FROM item_artwork WHERE "itemId" = $1 AND kind = $2`, [itemId, kind])).rows[0] as
      { source: string; path: string; version: string; width: number | null; height: number | null; archiveEntry: string } | undefined;
  const lockedFields = async (itemId: string) =>
    (await sql.query(`SELECT "lockedFields" FROM media_items WHERE id = $1`, [itemId])).rows[0].lockedFields as string[];
  const edits = async (itemId: string) =>
    (await sql.query(`SELECT * FROM item_edits WHERE "itemId" = $1 ORDER BY at ASC`, [itemId])).rows as {
      userId: string;
      username: string;
      source: string;
      changes: Record<string, { before: unknown; after: unknown }>;
    }[];
  const posterUrl = async (itemId: string, account: TestAccount = user, kind: keyof ItemDetail['artwork'] = 'poster') =>
    ((await http().get(`/api/v1/items/${itemId}`).set(bearer(account)).expect(200)).body as ItemDetail).artwork[kind]!;
  const cacheFiles = (itemId: string) => {
    const dir = join(config.dataDir, 'cache', 'artwork', itemId);
    return existsSync(dir) ? readdirSync(dir).sort() : [];
  };

  async function insertItem(title: string): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO media_items ("libraryId", type, title) VALUES ($1, 'movie', $2) RETURNING id`,
      [libraryId, title],
    );
    return rows[0].id;
  }

  beforeAll(async () => {
    db = await createScratchDatabase();
    config = testConfig({ env: { DATABASE_URL: db.url } });
    api = await startApi(config);
    ({ admin, user } = await seedAccounts(api));
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    media = mkdtempSync(join(tmpdir(), 'marquee-artwork-media-'));
    outside = mkdtempSync(join(tmpdir(), 'marquee-artwork-outside-'));
    mkdirSync(join(media, 'films'));
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO libraries (name, kind, folders) VALUES ('Films', 'movies', $1) RETURNING id`,
      [[join(media, 'films')]],
    );
    libraryId = rows[0].id;
    for (const name of ['alien', 'amelie', 'tokyo', 'ranked', 'locked', 'zipped']) id[name] = await insertItem(name);
  });

  afterAll(async () => {
    await sql?.end();
    await api?.close();
    await db?.drop();
    for (const dir of [media, outside, config?.dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('folder art served by signed URL', () => {
    let poster: string;
    let version: string;
    let url: string;

    beforeAll(async () => {
      poster = join(media, 'films', 'Alien (1979)', 'poster.jpg');
      await makeImage(poster, { width: 400, height: 600, format: 'jpeg', color: '#884422' });
      expect(await artwork().setArtwork({ itemId: id.alien, kind: 'poster', source: 'folder', path: poster })).toBe(true);
      const row = (await artRow(id.alien, 'poster'))!;
      expect(row).toMatchObject({ source: 'folder', path: poster, width: 400, height: 600, archiveEntry: '' });
      expect(row.version).toMatch(/^[0-9a-f]{16}$/);
      version = row.version;
      url = await posterUrl(id.alien);
    });

    it('puts a signed, versioned URL in the item detail and lists', async () => {
      expect(url).toMatch(new RegExp(`^/api/v1/items/${id.alien}/artwork/poster\\?v=${version}&st=[A-Za-z0-9_.-]+$`));
      // Stable for the day: the same URL every time (browsers cache it).
      expect(await posterUrl(id.alien)).toBe(url);
      const list = await http().get(`/api/v1/items?q=alien`).set(bearer(user)).expect(200);
      expect(list.body.items[0].artwork).toEqual({ poster: url });
      // Each user gets their own token.
      const adminUrl = await posterUrl(id.alien, admin);
      expect(adminUrl).not.toBe(url);
      expect(adminUrl.startsWith(`/api/v1/items/${id.alien}/artwork/poster?v=${version}&st=`)).toBe(true);
    });

    it('serves the original with no header but the ?st= token', async () => {
      const res = await fetchImage(url).expect(200);
      expect(res.headers['content-type']).toBe('image/jpeg');
      expect(res.headers.etag).toBe(`"${version}"`);
      expect(res.headers['cache-control']).toBe('private, max-age=86400, immutable');
      expect(Buffer.compare(res.body as Buffer, readFileSync(poster))).toBe(0);
      expect(Number(res.headers['content-length'])).toBe(readFileSync(poster).length);
    });

    it('resizes to webp, never upscales, and caches the copy', async () => {
      const small = await fetchImage(`${url}&width=100`).expect(200);
      expect(small.headers['content-type']).toBe('image/webp');
      expect(small.headers.etag).toBe(`"${version}-w100"`);
      expect(await sharp(small.body as Buffer).metadata()).toMatchObject({ format: 'webp', width: 100, height: 150 });
      expect(cacheFiles(id.alien)).toContain(`poster-${version}-w100.webp`);
      const cached = readFileSync(join(config.dataDir, 'cache', 'artwork', id.alien, `poster-${version}-w100.webp`));
      expect(Buffer.compare(cached, small.body as Buffer)).toBe(0);

      const large = await fetchImage(`${url}&width=800`).expect(200);
      expect(large.headers.etag).toBe(`"${version}-w800"`);
      expect(await sharp(large.body as Buffer).metadata()).toMatchObject({ format: 'webp', width: 400, height: 600 });

      // Concurrent first requests for the same copy all get it.
      const same = await Promise.all(Array.from({ length: 5 }, () => fetchImage(`${url}&width=123`)));
      expect(same.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      for (const r of same) expect(Buffer.compare(r.body as Buffer, same[0].body as Buffer)).toBe(0);
      expect((await sharp(same[0].body as Buffer).metadata()).width).toBe(123);
    });

    it('answers If-None-Match with 304', async () => {
      const res = await fetchImage(`${url}&width=100`, { 'If-None-Match': `"${version}-w100"` }).expect(304);
      expect((res.body as Buffer).length).toBe(0);
      expect(res.headers.etag).toBe(`"${version}-w100"`);
      await fetchImage(url, { 'If-None-Match': `W/"${version}", "other"` }).expect(304);
      await fetchImage(url, { 'If-None-Match': '*' }).expect(304);
      await fetchImage(url, { 'If-None-Match': `"${version}-w100"` }).expect(200);
    });

    it('is cacheable but not immutable when the URL carries no or an old version', async () => {
      const plain = await fetchImage(`/api/v1/items/${id.alien}/artwork/poster`, bearer(user)).expect(200);
      expect(plain.headers['cache-control']).toBe('private, max-age=86400');
      const stale = await fetchImage(`/api/v1/items/${id.alien}/artwork/poster?v=0123456789abcdef`, bearer(user)).expect(200);
      expect(stale.headers['cache-control']).toBe('private, max-age=86400');
    });

    it('accepts Bearer tokens and API keys with the stream scope', async () => {
      await fetchImage(`/api/v1/items/${id.alien}/artwork/poster?width=64`, bearer(admin)).expect(200);
      const keys = api.get(ApiKeysService);
      const { key: streamKey } = await keys.create({ id: user.id, role: 'user' }, { name: 'tv', scopes: ['stream'] });
      const viaKey = await fetchImage(`/api/v1/items/${id.alien}/artwork/poster?width=64`, { 'X-Api-Key': streamKey }).expect(200);
      expect(viaKey.headers['content-type']).toBe('image/webp');
      const { key: readKey } = await keys.create({ id: user.id, role: 'user' }, { name: 'reader', scopes: ['read'] });
      await fetchImage(`/api/v1/items/${id.alien}/artwork/poster`, { 'X-Api-Key': readKey }).expect(403);
    });

    it('refuses a wrong, foreign or expired token with 401', async () => {
      const tokens = api.get(StreamTokenService);
      const base = `/api/v1/items/${id.alien}/artwork/poster`;
      const cases: [string, string][] = [
        ['garbage', `${base}?st=garbage`],
        ['another item', `${base}?st=${tokens.sign(user.id, id.amelie)}`],
        ['expired', `${base}?st=${tokens.sign(user.id, id.alien, 60, Date.now() - 3600_000)}`],
        ['tampered', `${base}?st=${url.split('st=')[1].replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}`],
        ['no credentials', base],
      ];
      for (const [what, path] of cases) {
        const res = await fetchImage(path);
        expect([what, res.status]).toEqual([what, 401]);
        expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      }
      // A stream token opens the artwork route, not the rest of the API.
      await http()
        .get(`/api/v1/items/${id.alien}?st=${url.split('st=')[1]}`)
        .expect(401);
    });

    it('answers 400 for an unknown kind or width and 404 when there is no such picture', async () => {
      const unknownKind = await http().get(`/api/v1/items/${id.alien}/artwork/spine`).set(bearer(user)).expect(400);
      expect(unknownKind.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(unknownKind.body.detail).toContain('Unknown artwork kind');
      for (const width of ['8', '5000', 'abc', '100.5']) {
        const res = await http().get(`/api/v1/items/${id.alien}/artwork/poster?width=${width}`).set(bearer(user));
        expect([width, res.status]).toEqual([width, 400]);
      }
      const none = await http().get(`/api/v1/items/${id.alien}/artwork/backdrop`).set(bearer(user)).expect(404);
      expect(none.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(none.body.detail).toBe(`Item ${id.alien} has no backdrop artwork`);
      await http().get(`/api/v1/items/${randomUUID()}/artwork/poster`).set(bearer(user)).expect(404);
      await http().get(`/api/v1/items/nope/artwork/poster`).set(bearer(user)).expect(400);
    });
  });

  describe('token window', () => {
    it('expires at the UTC midnight after next, so URLs are identical all day', async () => {
      expect(artworkTokenWindow(Date.UTC(2030, 0, 1, 13, 5))).toEqual({
        signedAt: Date.UTC(2030, 0, 2),
        ttlSeconds: 86_400,
        expiresAt: new Date(Date.UTC(2030, 0, 3)),
      });
      const early = await artwork().urlsFor([{ id: id.alien }], user.id, Date.UTC(2030, 0, 1, 0, 0, 1));
      const late = await artwork().urlsFor([{ id: id.alien }], user.id, Date.UTC(2030, 0, 1, 23, 59, 59));
      const nextDay = await artwork().urlsFor([{ id: id.alien }], user.id, Date.UTC(2030, 0, 2, 0, 0, 1));
      expect(early.get(id.alien)!.poster).toBe(late.get(id.alien)!.poster);
      expect(nextDay.get(id.alien)!.poster).not.toBe(early.get(id.alien)!.poster);
      const token = decodeURIComponent(early.get(id.alien)!.poster!.split('st=')[1]);
      const tokens = api.get(StreamTokenService);
      expect(tokens.verify(token, id.alien, Date.UTC(2030, 0, 2, 23, 59, 59))).toBe(user.id);
      expect(tokens.verify(token, id.alien, Date.UTC(2030, 0, 3, 0, 0, 1))).toBeUndefined();
    });

    it('builds the URLs of many items at once, empty for items without pictures', async () => {
      const urls = await artwork().urlsFor([{ id: id.alien }, { id: id.ranked }], user.id);
      expect([...urls.keys()].sort()).toEqual([id.alien, id.ranked].sort());
      expect(Object.keys(urls.get(id.alien)!)).toEqual(['poster']);
      expect(urls.get(id.ranked)).toEqual({});
      expect((await artwork().urlsFor([], user.id)).size).toBe(0);
    });
  });

  describe('the rank rule and locks', () => {
    it('never replaces a picture with one from a lower-ranked source', async () => {
      const frame = await sharp({ create: { width: 64, height: 36, channels: 3, background: '#000000' } })
        .webp()
        .toBuffer();
      const generated = await artwork().saveOriginal(id.ranked, 'thumb', frame, 'webp');
      expect(generated.startsWith(join(config.dataDir, 'artwork', id.ranked.slice(0, 2), id.ranked, 'thumb-'))).toBe(true);
      expect(
        await artwork().setArtwork({ itemId: id.ranked, kind: 'thumb', source: 'generated', path: generated, width: 64, height: 36 }),
      ).toBe(true);
      expect(await artRow(id.ranked, 'thumb')).toMatchObject({ source: 'generated', path: generated, width: 64, height: 36 });

      const cover = await sharp({ create: { width: 50, height: 50, channels: 3, background: '#ff0000' } })
        .jpeg()
        .toBuffer();
      const embedded = await artwork().saveOriginal(id.ranked, 'thumb', cover, 'jpg');
      expect(await artwork().setArtwork({ itemId: id.ranked, kind: 'thumb', source: 'embedded', path: embedded })).toBe(true);
      expect(await artRow(id.ranked, 'thumb')).toMatchObject({ source: 'embedded', path: embedded, width: 50, height: 50 });
      // The replaced generated original was ours and is no longer used: it is gone.
      expect(existsSync(generated)).toBe(false);

      const again = await artwork().saveOriginal(id.ranked, 'thumb', frame, 'webp');
      expect(
        await artwork().setArtwork({ itemId: id.ranked, kind: 'thumb', source: 'generated', path: again, width: 64, height: 36 }),
      ).toBe(false);
      expect((await artRow(id.ranked, 'thumb'))!.source).toBe('embedded');

      const folderThumb = join(media, 'films', 'ranked', 'thumb.png');
      await makeImage(folderThumb, { width: 80, height: 45, format: 'png' });
      expect(await artwork().setArtwork({ itemId: id.ranked, kind: 'thumb', source: 'folder', path: folderThumb })).toBe(true);
      expect(await artRow(id.ranked, 'thumb')).toMatchObject({ source: 'folder', path: folderThumb, width: 80, height: 45 });
      expect(existsSync(embedded)).toBe(false);
      // Folder art is never deleted, and the same file again is "stored" without a change.
      const before = (await artRow(id.ranked, 'thumb'))!.version;
      expect(await artwork().setArtwork({ itemId: id.ranked, kind: 'thumb', source: 'folder', path: folderThumb })).toBe(true);
      expect((await artRow(id.ranked, 'thumb'))!.version).toBe(before);
      expect(await artwork().setArtwork({ itemId: id.ranked, kind: 'thumb', source: 'embedded', path: again })).toBe(false);
      expect(existsSync(folderThumb)).toBe(true);

      // An unreadable file is refused, a picture for an unknown item is not stored.
      const junk = join(media, 'films', 'ranked', 'junk.jpg');
      writeFileSync(junk, 'not a picture');
      expect(await artwork().setArtwork({ itemId: id.ranked, kind: 'backdrop', source: 'folder', path: junk })).toBe(false);
      expect(await artRow(id.ranked, 'backdrop')).toBeUndefined();
      expect(await artwork().setArtwork({ itemId: randomUUID(), kind: 'poster', source: 'folder', path: folderThumb })).toBe(false);
    });

    it('keeps automatic sources out of a locked kind; a "*" lock does not cover artwork', async () => {
      const backdrop = join(media, 'films', 'locked', 'backdrop.jpg');
      await makeImage(backdrop, { width: 160, height: 90 });
      await sql.query(`UPDATE media_items SET "lockedFields" = '{artwork.backdrop}' WHERE id = $1`, [id.locked]);
      expect(await artwork().setArtwork({ itemId: id.locked, kind: 'backdrop', source: 'folder', path: backdrop })).toBe(false);
      expect(await artRow(id.locked, 'backdrop')).toBeUndefined();
      await sql.query(`UPDATE media_items SET "lockedFields" = '{*}' WHERE id = $1`, [id.locked]);
      expect(await artwork().setArtwork({ itemId: id.locked, kind: 'backdrop', source: 'folder', path: backdrop })).toBe(true);
      expect((await artRow(id.locked, 'backdrop'))!.source).toBe('folder');
    });
  });

  describe('uploads', () => {
    it('stores, re-encodes, locks and records an upload (raw PNG body → webp)', async () => {
      const png = await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 0, g: 128, b: 255, alpha: 0.5 } } })
        .png()
        .toBuffer();
      const res = await http()
        .put(`/api/v1/items/${id.amelie}/artwork/poster`)
        .set(bearer(admin))
        .set('Content-Type', 'image/png')
        .send(png)
        .expect(200);
      expect(res.body).toMatchObject({ kind: 'poster', source: 'upload', width: 300, height: 200 });
      const version = res.body.version as string;
      expect(version).toMatch(/^[0-9a-f]{16}$/);
      expect(res.body.url).toMatch(new RegExp(`^/api/v1/items/${id.amelie}/artwork/poster\\?v=${version}&st=`));
      const row = (await artRow(id.amelie, 'poster'))!;
      expect(row).toMatchObject({ source: 'upload', version, width: 300, height: 200 });
      expect(row.path.startsWith(join(config.dataDir, 'artwork', id.amelie.slice(0, 2), id.amelie, 'poster-'))).toBe(true);
      expect(row.path.endsWith('.webp')).toBe(true);
      expect(await lockedFields(id.amelie)).toEqual(['artwork.poster']);
      const history = await edits(id.amelie);
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ userId: admin.id, username: admin.username, source: 'admin' });
      expect(history[0].changes).toEqual({
        'artwork.poster': { before: null, after: version },
        lockedFields: { before: [], after: ['artwork.poster'] },
      });

      const served = await fetchImage(res.body.url).expect(200);
      expect(served.headers['content-type']).toBe('image/webp');
      expect(await sharp(served.body as Buffer).metadata()).toMatchObject({ format: 'webp', width: 300, height: 200 });

      // Folder art found by a later scan does not replace the upload.
      const folderPoster = join(media, 'films', 'amelie', 'poster.jpg');
      await makeImage(folderPoster, { width: 100, height: 150 });
      expect(await artwork().setArtwork({ itemId: id.amelie, kind: 'poster', source: 'folder', path: folderPoster })).toBe(false);
      expect((await artRow(id.amelie, 'poster'))!.version).toBe(version);
    });

    it('replaces folder art with a multipart JPEG, stripping its metadata; the folder file stays', async () => {
      const folder = (await artRow(id.alien, 'poster'))!;
      expect(folder.source).toBe('folder');
      expect(cacheFiles(id.alien).some((name) => name.startsWith(`poster-${folder.version}-`))).toBe(true);
      const jpeg = await sharp({ create: { width: 240, height: 360, channels: 3, background: '#226644' } })
        .jpeg()
        .withExif({ IFD0: { Copyright: 'secret-owner', Artist: 'someone' } })
        .toBuffer();
      expect((await sharp(jpeg).metadata()).exif).toBeDefined();
      const res = await http()
        .put(`/api/v1/items/${id.alien}/artwork/poster`)
        .set(bearer(admin))
        .attach('file', jpeg, { filename: 'poster.jpg', contentType: 'image/jpeg' })
        .field('note', 'ignored')
        .expect(200);
      expect(res.body).toMatchObject({ kind: 'poster', source: 'upload', width: 240, height: 360 });
      const row = (await artRow(id.alien, 'poster'))!;
      expect(row.path.endsWith('.jpg')).toBe(true);
      const stored = readFileSync(row.path);
      const metadata = await sharp(stored).metadata();
      expect(metadata).toMatchObject({ format: 'jpeg', width: 240, height: 360 });
      expect(metadata.exif).toBeUndefined();
      expect(stored.includes(Buffer.from('secret-owner'))).toBe(false);
      // The library's own file is never deleted; the old version's resized copies are.
      expect(existsSync(folder.path)).toBe(true);
      expect(cacheFiles(id.alien).some((name) => name.startsWith(`poster-${folder.version}-`))).toBe(false);
      expect((await edits(id.alien)).at(-1)!.changes['artwork.poster']).toEqual({ before: folder.version, after: row.version });

      // A second upload replaces the first one's file.
      const again = await sharp({ create: { width: 120, height: 180, channels: 3, background: '#442266' } })
        .jpeg()
        .toBuffer();
      await http()
        .put(`/api/v1/items/${id.alien}/artwork/poster`)
        .set(bearer(admin))
        .set('Content-Type', 'image/jpeg')
        .send(again)
        .expect(200);
      expect(existsSync(row.path)).toBe(false);
      expect((await artRow(id.alien, 'poster'))!).toMatchObject({ source: 'upload', width: 120, height: 180 });
      // The lock was already there: recorded once.
      expect(await lockedFields(id.alien)).toEqual(['artwork.poster']);
      expect(Object.keys((await edits(id.alien)).at(-1)!.changes)).toEqual(['artwork.poster']);
    });

    it('refuses users, non-images, other formats, other content types and unknown items', async () => {
      const jpeg = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#ffffff' } })
        .jpeg()
        .toBuffer();
      const forbidden = await http()
        .put(`/api/v1/items/${id.tokyo}/artwork/poster`)
        .set(bearer(user))
        .set('Content-Type', 'image/jpeg')
        .send(jpeg)
        .expect(403);
      expect(forbidden.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);

      const notImage = await http()
        .put(`/api/v1/items/${id.tokyo}/artwork/poster`)
        .set(bearer(admin))
        .set('Content-Type', 'image/jpeg')
        .send(Buffer.from('hello, I am not a picture'))
        .expect(400);
      expect(notImage.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(notImage.body.detail).toContain('not an image');

      const truncated = await http()
        .put(`/api/v1/items/${id.tokyo}/artwork/poster`)
        .set(bearer(admin))
        .set('Content-Type', 'image/jpeg')
        .send(jpeg.subarray(0, Math.floor(jpeg.length / 2)))
        .expect(400);
      expect(truncated.body.detail).toMatch(/not an image/);

      const gif = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#ffffff' } })
        .gif()
        .toBuffer();
      const wrongFormat = await http()
        .put(`/api/v1/items/${id.tokyo}/artwork/poster`)
        .set(bearer(admin))
        .attach('file', gif, { filename: 'x.gif', contentType: 'image/gif' })
        .expect(400);
      expect(wrongFormat.body.detail).toContain('only JPEG, PNG and WebP');

      const text = await http()
        .put(`/api/v1/items/${id.tokyo}/artwork/poster`)
        .set(bearer(admin))
        .set('Content-Type', 'text/plain')
        .send('hi')
        .expect(415);
      expect(text.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      const noFile = await http().put(`/api/v1/items/${id.tokyo}/artwork/poster`).set(bearer(admin)).field('other', 'x').expect(400);
      expect(noFile.body.detail).toContain('"file"');

      await http()
        .put(`/api/v1/items/${randomUUID()}/artwork/poster`)
        .set(bearer(admin))
        .set('Content-Type', 'image/jpeg')
        .send(jpeg)
        .expect(404);
      await http()
        .put(`/api/v1/items/${id.tokyo}/artwork/spine`)
        .set(bearer(admin))
        .set('Content-Type', 'image/jpeg')
        .send(jpeg)
        .expect(400);
      expect(await artRow(id.tokyo, 'poster')).toBeUndefined();
      expect(await edits(id.tokyo)).toEqual([]);
    });

    it('refuses a body over 20 MiB with 413', async () => {
      const huge = Buffer.alloc(20 * 1024 * 1024 + 1, 0xff);
      const res = await http()
        .put(`/api/v1/items/${id.tokyo}/artwork/poster`)
        .set(bearer(admin))
        .set('Content-Type', 'image/jpeg')
        .send(huge);
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(await artRow(id.tokyo, 'poster')).toBeUndefined();
    });
  });

  describe('DELETE', () => {
    it('is for administrators; removes the row, our file and the lock, and records it', async () => {
      const row = (await artRow(id.amelie, 'poster'))!;
      await fetchImage(`/api/v1/items/${id.amelie}/artwork/poster?width=50`, bearer(user)).expect(200);
      expect(cacheFiles(id.amelie)).toEqual([`poster-${row.version}-w50.webp`]);
      await http().delete(`/api/v1/items/${id.amelie}/artwork/poster`).set(bearer(user)).expect(403);
      await http().delete(`/api/v1/items/${id.amelie}/artwork/poster`).set(bearer(admin)).expect(204);
      expect(await artRow(id.amelie, 'poster')).toBeUndefined();
      expect(existsSync(row.path)).toBe(false);
      expect(cacheFiles(id.amelie)).toEqual([]);
      expect(await lockedFields(id.amelie)).toEqual([]);
      expect((await edits(id.amelie)).at(-1)!.changes).toEqual({
        'artwork.poster': { before: row.version, after: null },
        lockedFields: { before: ['artwork.poster'], after: [] },
      });
      await http().get(`/api/v1/items/${id.amelie}/artwork/poster`).set(bearer(user)).expect(404);
      const again = await http().delete(`/api/v1/items/${id.amelie}/artwork/poster`).set(bearer(admin)).expect(404);
      expect(again.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      // Unlocked: the next scan's folder art is taken again.
      expect(
        await artwork().setArtwork({
          itemId: id.amelie,
          kind: 'poster',
          source: 'folder',
          path: join(media, 'films', 'amelie', 'poster.jpg'),
        }),
      ).toBe(true);
    });
  });

  describe('art inside a zip, and paths outside the library', () => {
    it('serves and resizes a zip entry', async () => {
      const cover = await sharp({ create: { width: 90, height: 120, channels: 3, background: '#123456' } })
        .jpeg()
        .toBuffer();
      const zip = join(media, 'films', 'gallery.zip');
      await makeZip(zip, { 'pages/001.jpg': cover, 'readme.txt': 'hello' });
      expect(
        await artwork().setArtwork({ itemId: id.zipped, kind: 'cover', source: 'folder', path: zip, archiveEntry: 'pages/001.jpg' }),
      ).toBe(true);
      const url = await posterUrl(id.zipped, user, 'cover');
      const original = await fetchImage(url).expect(200);
      expect(original.headers['content-type']).toBe('image/jpeg');
      expect(Buffer.compare(original.body as Buffer, cover)).toBe(0);
      const small = await fetchImage(`${url}&width=30`).expect(200);
      expect(await sharp(small.body as Buffer).metadata()).toMatchObject({ format: 'webp', width: 30, height: 40 });
    });

    it('never serves a stored path outside the data dir and the library folders', async () => {
      const stray = join(outside, 'stray.jpg');
      await makeImage(stray, { width: 32, height: 32 });
      expect(await artwork().setArtwork({ itemId: id.tokyo, kind: 'banner', source: 'folder', path: stray })).toBe(true);
      await http().get(`/api/v1/items/${id.tokyo}/artwork/banner`).set(bearer(user)).expect(404);
      await http().get(`/api/v1/items/${id.tokyo}/artwork/banner?width=16`).set(bearer(user)).expect(404);
      expect(cacheFiles(id.tokyo)).toEqual([]);
    });
  });

  describe('choosing a picture beside the media', () => {
    let chosenId: string;
    const candidatesOf = (itemId: string, account: TestAccount = admin) =>
      http().get(`/api/v1/items/${itemId}/artwork-candidates`).set(bearer(account));

    beforeAll(async () => {
      chosenId = await insertItem('chosen');
      const folder = join(media, 'films', 'Chosen (2001)');
      mkdirSync(folder, { recursive: true });
      const film = join(folder, 'Chosen (2001).mkv');
      writeFileSync(film, 'not really a film');
      await sql.query(
        `INSERT INTO media_files ("itemId", "libraryId", path, folder, category, size, mtime) VALUES ($1, $2, $3, $4, 'video', 17, now())`,
        [chosenId, libraryId, film, folder],
      );
      await makeImage(join(folder, 'poster-alt.jpg'), { width: 300, height: 450, format: 'jpeg', color: '#225588' });
      await makeImage(join(folder, 'fanart.png'), { width: 320, height: 180, format: 'png' });
      writeFileSync(join(folder, 'notes.txt'), 'not a picture');
      await makeImage(join(outside, 'secret.jpg'), { width: 10, height: 10, format: 'jpeg' });
      symlinkSync(join(outside, 'secret.jpg'), join(folder, 'linked.jpg'));
    });

    it('lists the pictures beside the item’s media, never a link out of the library, for admins only', async () => {
      const response = await candidatesOf(chosenId).expect(200);
      expect(response.body).toEqual([
        {
          id: expect.stringMatching(/^[0-9a-f]{16}$/),
          name: 'Chosen (2001)/fanart.png',
          suggestedKind: 'backdrop',
          size: expect.any(Number),
        },
        {
          id: expect.stringMatching(/^[0-9a-f]{16}$/),
          name: 'Chosen (2001)/poster-alt.jpg',
          suggestedKind: null,
          size: expect.any(Number),
        },
      ]);
      expect((await candidatesOf(chosenId, user)).status).toBe(403);
      expect((await candidatesOf('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    });

    it('makes the chosen picture the artwork, locked and recorded like an upload', async () => {
      const [, posterAlt] = (await candidatesOf(chosenId)).body as { id: string }[];
      const response = await http()
        .put(`/api/v1/items/${chosenId}/artwork/poster`)
        .set(bearer(admin))
        .send({ candidate: posterAlt.id })
        .expect(200);
      expect(response.body).toMatchObject({ kind: 'poster', source: 'upload', width: 300, height: 450 });
      expect(await artRow(chosenId, 'poster')).toMatchObject({ source: 'upload', width: 300, height: 450 });
      expect(await lockedFields(chosenId)).toContain('artwork.poster');
      const [edit] = (await edits(chosenId)).slice(-1);
      expect(edit).toMatchObject({ userId: admin.id, changes: { 'artwork.poster': { before: null, after: expect.any(String) } } });
      const served = await fetchImage((await posterUrl(chosenId)) + '&width=150').expect(200);
      expect((await sharp(served.body).metadata()).width).toBe(150);
    });

    it('refuses a malformed or unknown candidate with a clear error', async () => {
      const put = (body: object) => http().put(`/api/v1/items/${chosenId}/artwork/backdrop`).set(bearer(admin)).send(body);
      const malformed = await put({ candidate: '../../etc/passwd' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.detail).toMatch(/artwork-candidates/);
      expect((await put({ candidate: 'ffffffffffffffff' })).status).toBe(404);
      expect((await put({})).status).toBe(400);
      expect(await artRow(chosenId, 'backdrop')).toBeUndefined();
    });

    it('PATCH items/:id chooses and removes artwork in the same edit as the fields, each recorded', async () => {
      const [fanart, posterAlt] = (await candidatesOf(chosenId)).body as { id: string }[];
      const patch = (body: object, account: TestAccount = admin) =>
        http().patch(`/api/v1/items/${chosenId}`).set(bearer(account)).send(body);
      const response = await patch({ title: 'Chosen Again', artwork: { backdrop: { candidate: fanart.id } } }).expect(200);
      expect(response.body).toMatchObject({ title: 'Chosen Again', artwork: { backdrop: expect.any(String) } });
      expect(await artRow(chosenId, 'backdrop')).toMatchObject({ source: 'upload', width: 320, height: 180 });
      expect(await lockedFields(chosenId)).toEqual(expect.arrayContaining(['title', 'artwork.backdrop']));
      const recorded = (await edits(chosenId)).slice(-2).map((edit) => Object.keys(edit.changes).sort());
      expect(recorded).toEqual([
        ['lockedFields', 'title'],
        ['artwork.backdrop', 'lockedFields'],
      ]);

      // null removes the picture and unlocks the kind; removing what is not there is no error.
      await patch({ artwork: { backdrop: null, logo: null } }).expect(200);
      expect(await artRow(chosenId, 'backdrop')).toBeUndefined();
      expect(await lockedFields(chosenId)).not.toContain('artwork.backdrop');

      // An unknown candidate refuses the whole edit before anything changes; so do malformed choices.
      const unknown = await patch({ title: 'Not Applied', artwork: { poster: { candidate: 'ffffffffffffffff' } } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.detail).toMatch(/artwork\.poster: .*no artwork candidate "ffffffffffffffff".*artwork-candidates/);
      for (const artwork of [{ cover: { candidate: '../../etc/passwd' } }, { wallpaper: null }, { poster: posterAlt.id }, []]) {
        const refused = await patch({ artwork });
        expect(refused.status).toBe(400);
        expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'artwork' })]);
      }
      expect((await http().get(`/api/v1/items/${chosenId}`).set(bearer(admin)).expect(200)).body.title).toBe('Chosen Again');
      await patch({ artwork: { poster: { candidate: posterAlt.id } } }, user).expect(403);
    });
  });

  describe('cache eviction', () => {
    let dataDir: string;
    let eviction: ArtworkCacheEviction;
    const now = Date.now();

    function file(path: string, size: number, ageDays: number): string {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, Buffer.alloc(size, 1));
      const at = new Date(now - ageDays * DAY_MS);
      utimesSync(path, at, at);
      return path;
    }

    beforeEach(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'marquee-eviction-'));
      eviction = new ArtworkCacheEviction(new ArtworkStore({ dataDir } as AppConfig));
    });
    afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

    it('removes copies older than maxAgeDays, then the least recently used until under maxBytes', async () => {
      const cache = join(dataDir, 'cache', 'artwork');
      const a = randomUUID();
      const b = randomUUID();
      const old = file(join(cache, a, 'poster-aaaa-w100.webp'), 1000, 10);
      const older = file(join(cache, a, 'poster-aaaa-w200.webp'), 3000, 3);
      const recent = file(join(cache, b, 'thumb-bbbb-w100.webp'), 3000, 1);
      const fresh = file(join(cache, b, 'thumb-bbbb-w300.webp'), 3000, 0);
      // Outside the resized cache: never touched, however old.
      const original = file(join(dataDir, 'artwork', a.slice(0, 2), a, 'poster-aaaa.jpg'), 5000, 100);
      const otherCache = file(join(dataDir, 'cache', 'hls', 'segment.ts'), 5000, 100);

      expect(await eviction.evict({ maxBytes: 6500, maxAgeDays: 7 }, now)).toEqual({ removedFiles: 2, removedBytes: 4000 });
      expect([old, older, recent, fresh, original, otherCache].map(existsSync)).toEqual([false, false, true, true, true, true]);
      // The emptied item folder went too; the cache root stays.
      expect(existsSync(join(cache, a))).toBe(false);
      expect(existsSync(cache)).toBe(true);

      expect(await eviction.evict({ maxBytes: 6500, maxAgeDays: 7 }, now)).toEqual({ removedFiles: 0, removedBytes: 0 });
      expect(await eviction.evict({ maxBytes: 0, maxAgeDays: 365 }, now)).toEqual({ removedFiles: 2, removedBytes: 6000 });
      expect([recent, fresh, original, otherCache].map(existsSync)).toEqual([false, false, true, true]);
    });

    it('neither follows nor removes symlinks, and copes with a missing cache folder', async () => {
      expect(await eviction.evict({ maxBytes: 0, maxAgeDays: 0 }, now)).toEqual({ removedFiles: 0, removedBytes: 0 });
      const cache = join(dataDir, 'cache', 'artwork');
      const target = file(join(dataDir, 'precious', 'library-file.jpg'), 2000, 50);
      mkdirSync(join(cache, 'x'), { recursive: true });
      symlinkSync(target, join(cache, 'x', 'link.webp'));
      symlinkSync(join(dataDir, 'precious'), join(cache, 'dirlink'));
      const real = file(join(cache, 'x', 'poster-cccc-w64.webp'), 100, 50);
      expect(await eviction.evict({ maxBytes: 0, maxAgeDays: 1 }, now)).toEqual({ removedFiles: 1, removedBytes: 100 });
      expect(existsSync(real)).toBe(false);
      expect(existsSync(target)).toBe(true);
      expect(readdirSync(join(cache, 'x'))).toEqual(['link.webp']);
    });
  });
});
