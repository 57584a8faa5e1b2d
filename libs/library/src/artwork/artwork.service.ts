import { createHash } from 'node:crypto';
import { stat, utimes } from 'node:fs/promises';
import { extname, isAbsolute } from 'node:path';
import { BadRequestException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { API_PREFIX, type ArtworkUrls } from '@marquee/contracts';
import { StreamTokenService } from '@marquee/auth/tokens/stream-token.service.js';
import { readZipEntry, resizeImage } from '@marquee/media';
import sharp from 'sharp';
import { DataSource, type EntityManager } from 'typeorm';
import { artworkLock, isLocked, updateLocks } from '../editing/field-locks.js';
import { ARTWORK_SOURCE_RANK, ItemArtwork, type ArtworkKind, type ArtworkSource } from '../entities/item-artwork.entity.js';
import type { FieldChange } from '../entities/item-edit.entity.js';
import { ArtworkStore, isArtworkKind, isInside, MAX_ARTWORK_WIDTH, MIN_ARTWORK_WIDTH } from './artwork-store.js';

export interface SetArtworkInput {
  itemId: string;
  kind: ArtworkKind;
  source: ArtworkSource;
  /** Folder art: a file in a library folder; embedded, generated and uploaded art: a file from `saveOriginal`. */
  path: string;
  /** The entry's name when the picture sits inside a zip; '' or absent for a plain file. */
  archiveEntry?: string;
  /** Read from the file when absent. */
  width?: number | null;
  height?: number | null;
}

/** Who made an admin change (upload, removal), for the item's edit history. */
export interface ArtworkEditor {
  userId: string;
  username: string;
}

/** What an upload stored. */
export interface ArtworkInfo {
  kind: ArtworkKind;
  source: ArtworkSource;
  version: string;
  width: number | null;
  height: number | null;
  /** A signed URL of the new picture for the uploader. */
  url: string;
}

/** A picture ready to be sent: a file to stream, or (art inside a zip) the bytes. */
export interface ServedArtwork {
  version: string;
  /** Quoted, as the ETag header wants it. */
  etag: string;
  contentType: string;
  size: number;
  path?: string;
  data?: Buffer;
}

/** Uploads larger than this are refused (413). */
export const ARTWORK_UPLOAD_MAX_BYTES = 20 * 1024 * 1024;
/** Art inside a zip is read into memory, bounded by this. */
export const MAX_ARCHIVE_ARTWORK_BYTES = 64 * 1024 * 1024;
/** Decompression-bomb guard for uploads (same bound as libs/media's resizeImage). */
const MAX_INPUT_PIXELS = 200_000_000;
const DAY_MS = 86_400_000;
/** A cached resized copy whose times are older than this gets its mtime refreshed when served (LRU on noatime mounts). */
const TOUCH_AFTER_MS = 6 * 3600_000;
const RESIZED_QUALITY = 82;
const UPLOAD_QUALITY = 90;

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  heif: 'image/heif',
  tiff: 'image/tiff',
  tif: 'image/tiff',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
};

const rank = (source: string): number => ARTWORK_SOURCE_RANK[source as ArtworkSource] ?? 0;

/** SQL of a stored row's source rank, from ARTWORK_SOURCE_RANK (the one place ranks are defined). */
const RANK_SQL = `CASE item_artwork.source ${Object.entries(ARTWORK_SOURCE_RANK)
  .map(([source, value]) => `WHEN '${source}' THEN ${value}`)
  .join(' ')} ELSE 0 END`;

/**
 * The token window of artwork URLs: signed as of the next UTC midnight with a one-day lifetime, so
 * every URL of a picture is byte-identical for a whole UTC day (browsers and proxies cache it) and
 * stays valid between 24 and 48 hours after it was handed out.
 */
export function artworkTokenWindow(now = Date.now()): { signedAt: number; ttlSeconds: number; expiresAt: Date } {
  const nextMidnight = (Math.floor(now / DAY_MS) + 1) * DAY_MS;
  return { signedAt: nextMidnight, ttlSeconds: DAY_MS / 1000, expiresAt: new Date(nextMidnight + DAY_MS) };
}

/**
 * Item pictures: which one is current per kind (a higher-ranked source is never replaced by a lower
 * one, and an `artwork.<kind>` lock keeps automatic sources out), the files in the data dir, resized
 * copies made on demand, admin uploads and removals, and signed URLs for `<img>` tags.
 */
@Injectable()
export class ArtworkService {
  private readonly logger = new Logger(ArtworkService.name);
  private readonly resizing = new Map<string, Promise<void>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: ArtworkStore,
    private readonly streamTokens: StreamTokenService,
  ) {}

  /**
   * Makes `input` the item's `kind` picture unless the current one comes from a higher-ranked source
   * or `artwork.<kind>` is locked on the item (uploads, an admin's explicit act, ignore the lock).
   * Returns whether the picture is now the item's (also true when it already was).
   */
  async setArtwork(input: SetArtworkInput): Promise<boolean> {
    const { itemId, kind, source } = input;
    if (!isArtworkKind(kind)) throw new Error(`Not an artwork kind: ${JSON.stringify(kind)}`);
    if (!(source in ARTWORK_SOURCE_RANK)) throw new Error(`Not an artwork source: ${JSON.stringify(source)}`);
    if (!isAbsolute(input.path)) throw new Error(`Artwork paths are absolute: ${JSON.stringify(input.path)}`);
    const archiveEntry = input.archiveEntry ?? '';
    const version = await this.versionOf(input.path, archiveEntry, source);
    let { width, height } = input;
    if ((width === undefined || height === undefined) && !archiveEntry) {
      try {
        const metadata = await sharp(input.path).metadata();
        width = metadata.autoOrient?.width ?? metadata.width ?? null;
        height = metadata.autoOrient?.height ?? metadata.height ?? null;
      } catch (error) {
        this.logger.warn(
          `Not storing ${kind} artwork of item ${itemId}: ${input.path} is not a readable image (${(error as Error).message})`,
        );
        return false;
      }
    }
    const row = { itemId, kind, source, path: input.path, archiveEntry, width: width ?? null, height: height ?? null, version };

    const outcome = await this.dataSource.transaction(async (manager) => {
      const [item] = await manager.query<{ lockedFields: string[] }[]>(`SELECT "lockedFields" FROM media_items WHERE id = $1`, [itemId]);
      if (!item) return { stored: false as const };
      if (source !== 'upload' && isLocked(item.lockedFields, artworkLock(kind))) return { stored: false as const };
      const existing = await this.lockRow(manager, itemId, kind);
      if (existing && rank(existing.source) > rank(source)) return { stored: false as const };
      if (existing && existing.version === version && existing.path === row.path && existing.source === source) {
        return { stored: true as const, previous: undefined };
      }
      const stored = await this.upsert(manager, row, rank(source));
      return stored ? { stored: true as const, previous: existing ?? undefined } : { stored: false as const };
    });
    if (outcome.stored && outcome.previous) await this.cleanUpReplaced(outcome.previous, version);
    return outcome.stored;
  }

  /** Keeps `data` as an original of the item (content-addressed: the same bytes give the same path). */
  async saveOriginal(itemId: string, kind: ArtworkKind, data: Buffer, ext: string): Promise<string> {
    const digest = createHash('sha1').update(data).digest('hex').slice(0, 16);
    const path = this.store.originalPath(itemId, kind, digest, ext);
    const existing = await stat(path).catch(() => undefined);
    if (!existing || existing.size !== data.length) await this.store.writeAtomic(path, data);
    return path;
  }

  /** The current picture of one kind, or null. */
  async get(itemId: string, kind: ArtworkKind): Promise<ItemArtwork | null> {
    return this.dataSource.getRepository(ItemArtwork).findOneBy({ itemId, kind });
  }

  /** Signed URLs of every picture of these items, for this user, in one query. */
  async urlsFor(items: readonly { id: string }[], userId: string, now = Date.now()): Promise<Map<string, ArtworkUrls>> {
    const urls = new Map<string, ArtworkUrls>(items.map((item) => [item.id, {}]));
    if (items.length === 0) return urls;
    const rows = await this.dataSource.query<{ itemId: string; kind: ArtworkKind; version: string }[]>(
      `SELECT "itemId", kind, version FROM item_artwork WHERE "itemId" = ANY($1::uuid[]) ORDER BY "itemId", kind`,
      [[...urls.keys()]],
    );
    const window = artworkTokenWindow(now);
    const tokens = new Map<string, string>();
    for (const row of rows) {
      let token = tokens.get(row.itemId);
      if (!token) {
        token = this.streamTokens.sign(userId, row.itemId, window.ttlSeconds, window.signedAt);
        tokens.set(row.itemId, token);
      }
      urls.get(row.itemId)![row.kind] = artworkUrl(row.itemId, row.kind, row.version, token);
    }
    return urls;
  }

  /**
   * The picture to send for `GET items/:id/artwork/:kind[?width=]`: the original, or a webp copy
   * `width` pixels wide (never wider than the original), made once and kept in the cache.
   */
  async serve(itemId: string, kind: ArtworkKind, width?: number): Promise<ServedArtwork> {
    const row = await this.get(itemId, kind);
    if (!row) throw new NotFoundException(`Item ${itemId} has no ${kind} artwork`);
    if (width !== undefined) {
      if (!Number.isInteger(width) || width < MIN_ARTWORK_WIDTH || width > MAX_ARTWORK_WIDTH) {
        throw new BadRequestException(`width must be an integer from ${MIN_ARTWORK_WIDTH} to ${MAX_ARTWORK_WIDTH}`);
      }
      const path = this.store.resizedPath(itemId, kind, row.version, width);
      let info = await stat(path).catch(() => undefined);
      if (!info) {
        await this.makeResized(row, width, path);
        info = await stat(path);
      } else if (Date.now() - Math.max(info.atimeMs, info.mtimeMs) > TOUCH_AFTER_MS) {
        const now = new Date();
        utimes(path, now, now).catch(() => undefined);
      }
      return { version: row.version, etag: `"${row.version}-w${width}"`, contentType: 'image/webp', size: info.size, path };
    }
    await this.checkSourcePath(row);
    const etag = `"${row.version}"`;
    if (row.archiveEntry) {
      const data = await this.readArchived(row);
      return { version: row.version, etag, contentType: await contentTypeOf(row.archiveEntry, data), size: data.length, data };
    }
    const info = await stat(row.path).catch(() => undefined);
    if (!info?.isFile()) throw new NotFoundException(`The ${kind} artwork file of item ${itemId} is missing`);
    return { version: row.version, etag, contentType: await contentTypeOf(row.path, row.path), size: info.size, path: row.path };
  }

  /**
   * An admin's upload: checked to be a JPEG, PNG or WebP picture sharp can decode, re-encoded (no
   * metadata survives), stored, made current whatever was there, locked against automatic sources,
   * and recorded in the item's edit history.
   */
  async upload(itemId: string, kind: ArtworkKind, data: Buffer, editor: ArtworkEditor): Promise<ArtworkInfo> {
    await this.requireItem(itemId);
    const image = await reencodeUpload(data);
    const path = await this.saveOriginal(itemId, kind, image.data, image.ext);
    const version = await this.versionOf(path, '', 'upload');
    const row = { itemId, kind, source: 'upload' as const, path, archiveEntry: '', width: image.width, height: image.height, version };
    const previous = await this.dataSource
      .transaction(async (manager) => {
        const lockedFields = await this.lockItem(manager, itemId);
        const existing = await this.lockRow(manager, itemId, kind);
        await this.upsert(manager, row, rank('upload'));
        const changes: Record<string, FieldChange> = {};
        if (existing?.version !== version) changes[artworkLock(kind)] = { before: existing?.version ?? null, after: version };
        const locks = updateLocks(lockedFields, [artworkLock(kind)]);
        await this.recordChange(manager, itemId, lockedFields, locks, changes, editor);
        return existing;
      })
      .catch(async (error: unknown) => {
        // Nothing was stored (the item went away meanwhile…): the new file must not linger.
        await this.removeIfUnused(path);
        throw error;
      });
    if (previous) await this.cleanUpReplaced(previous, version);
    const urls = await this.urlsFor([{ id: itemId }], editor.userId);
    return { kind, source: 'upload', version, width: image.width, height: image.height, url: urls.get(itemId)?.[kind] ?? '' };
  }

  /** An admin's removal: the row and its files go, and the kind is unlocked so scans may fill it again. */
  async remove(itemId: string, kind: ArtworkKind, editor: ArtworkEditor): Promise<void> {
    const removed = await this.dataSource.transaction(async (manager) => {
      const lockedFields = await this.lockItem(manager, itemId);
      const existing = await this.lockRow(manager, itemId, kind);
      if (!existing) throw new NotFoundException(`Item ${itemId} has no ${kind} artwork`);
      await manager.query(`DELETE FROM item_artwork WHERE id = $1`, [existing.id]);
      const locks = updateLocks(lockedFields, [], [artworkLock(kind)]);
      await this.recordChange(
        manager,
        itemId,
        lockedFields,
        locks,
        { [artworkLock(kind)]: { before: existing.version, after: null } },
        editor,
      );
      return existing;
    });
    await this.cleanUpReplaced(removed);
  }

  // ---------------------------------------------------------------------------------------------

  /** sha1 of the picture's identity and its file's state, first 16 hex digits. */
  private async versionOf(path: string, archiveEntry: string, source: ArtworkSource): Promise<string> {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw new Error(`Artwork file ${path} cannot be read: ${(error as Error).message}`, { cause: error });
    }
    return createHash('sha1')
      .update([path, archiveEntry, source, `${Math.trunc(info.mtimeMs)}:${info.size}`].join('\0'))
      .digest('hex')
      .slice(0, 16);
  }

  private async requireItem(itemId: string): Promise<void> {
    const [item] = await this.dataSource.query<{ id: string }[]>(`SELECT id FROM media_items WHERE id = $1`, [itemId]);
    if (!item) throw new NotFoundException(`Item ${itemId} not found`);
  }

  /** Locks the item row (serialising with metadata edits) and returns its locks. */
  private async lockItem(manager: EntityManager, itemId: string): Promise<string[]> {
    const [item] = await manager.query<{ lockedFields: string[] }[]>(`SELECT "lockedFields" FROM media_items WHERE id = $1 FOR UPDATE`, [
      itemId,
    ]);
    if (!item) throw new NotFoundException(`Item ${itemId} not found`);
    return item.lockedFields;
  }

  private async lockRow(manager: EntityManager, itemId: string, kind: ArtworkKind): Promise<ItemArtwork | undefined> {
    const [row] = await manager.query<ItemArtwork[]>(`SELECT * FROM item_artwork WHERE "itemId" = $1 AND kind = $2 FOR UPDATE`, [
      itemId,
      kind,
    ]);
    return row;
  }

  /** Inserts or replaces the row; a concurrent writer's higher-ranked row is never replaced. */
  private async upsert(manager: EntityManager, row: Omit<ItemArtwork, 'id' | 'updatedAt' | 'item'>, sourceRank: number): Promise<boolean> {
    const stored = await manager.query<{ id: string }[]>(
      `INSERT INTO item_artwork ("itemId", kind, source, path, "archiveEntry", width, height, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT ("itemId", kind) DO UPDATE SET source = EXCLUDED.source, path = EXCLUDED.path, "archiveEntry" = EXCLUDED."archiveEntry",
         width = EXCLUDED.width, height = EXCLUDED.height, version = EXCLUDED.version, "updatedAt" = now()
       WHERE ${RANK_SQL} <= $9
       RETURNING id`,
      [row.itemId, row.kind, row.source, row.path, row.archiveEntry, row.width, row.height, row.version, sourceRank],
    );
    return stored.length > 0;
  }

  private async recordChange(
    manager: EntityManager,
    itemId: string,
    before: string[],
    after: string[],
    changes: Record<string, FieldChange>,
    editor: ArtworkEditor,
  ): Promise<void> {
    const locksChanged = before.length !== after.length || before.some((field, index) => after[index] !== field);
    if (locksChanged) {
      await manager.query(`UPDATE media_items SET "lockedFields" = $2, "updatedAt" = now() WHERE id = $1`, [itemId, after]);
      changes.lockedFields = { before, after };
    }
    if (Object.keys(changes).length === 0) return;
    await manager.query(`INSERT INTO item_edits ("itemId", "userId", username, source, changes) VALUES ($1, $2, $3, 'admin', $4)`, [
      itemId,
      editor.userId,
      editor.username,
      JSON.stringify(changes),
    ]);
  }

  /** After a picture was replaced or removed: its original (when ours and unused) and stale resized copies go. */
  private async cleanUpReplaced(previous: ItemArtwork, currentVersion?: string): Promise<void> {
    try {
      await this.removeIfUnused(previous.path);
      await this.store.removeResized(previous.itemId, previous.kind, currentVersion);
    } catch (error) {
      this.logger.warn(`Could not clean up the old ${previous.kind} artwork of item ${previous.itemId}: ${(error as Error).message}`);
    }
  }

  /** Deletes an original of ours that no item's artwork uses any more (one file may serve several items). */
  private async removeIfUnused(path: string): Promise<void> {
    if (!this.store.isOwnedOriginal(path)) return;
    const [used] = await this.dataSource.query<unknown[]>(`SELECT 1 FROM item_artwork WHERE path = $1 LIMIT 1`, [path]);
    if (!used) await this.store.removeOriginal(path);
  }

  /** An original is read only from the store's originals folder or from a folder of the item's library. */
  private async checkSourcePath(row: ItemArtwork): Promise<void> {
    if (isAbsolute(row.path) && this.store.isOwnedOriginal(row.path)) return;
    const [library] = await this.dataSource.query<{ folders: string[] }[]>(
      `SELECT l.folders FROM media_items i JOIN libraries l ON l.id = i."libraryId" WHERE i.id = $1`,
      [row.itemId],
    );
    if (isAbsolute(row.path) && library?.folders.some((folder) => isInside(folder, row.path))) return;
    this.logger.warn(`Refusing to serve ${row.kind} artwork of item ${row.itemId}: ${row.path} is outside the data dir and the library`);
    throw new NotFoundException(`The ${row.kind} artwork file of item ${row.itemId} is missing`);
  }

  private async readArchived(row: ItemArtwork): Promise<Buffer> {
    try {
      return await readZipEntry(row.path, row.archiveEntry, MAX_ARCHIVE_ARTWORK_BYTES);
    } catch (error) {
      this.logger.warn(`Could not read ${row.archiveEntry} from ${row.path}: ${(error as Error).message}`);
      throw new NotFoundException(`The ${row.kind} artwork file of item ${row.itemId} is missing`);
    }
  }

  /** Makes one resized copy; concurrent requests for the same copy share the work. */
  private async makeResized(row: ItemArtwork, width: number, path: string): Promise<void> {
    let running = this.resizing.get(path);
    if (!running) {
      running = (async () => {
        await this.checkSourcePath(row);
        let source: string | Buffer = row.path;
        if (row.archiveEntry) source = await this.readArchived(row);
        else if (!(await stat(row.path).catch(() => undefined))?.isFile()) {
          throw new NotFoundException(`The ${row.kind} artwork file of item ${row.itemId} is missing`);
        }
        const resized = await resizeImage(source, { width, format: 'webp', quality: RESIZED_QUALITY });
        await this.store.writeAtomic(path, resized.data);
      })().finally(() => this.resizing.delete(path));
      this.resizing.set(path, running);
    }
    await running;
  }
}

export function artworkUrl(itemId: string, kind: ArtworkKind, version: string, token: string): string {
  return `/${API_PREFIX}/items/${itemId}/artwork/${kind}?v=${encodeURIComponent(version)}&st=${encodeURIComponent(token)}`;
}

async function contentTypeOf(name: string, input: string | Buffer): Promise<string> {
  const byName = CONTENT_TYPES[extname(name).slice(1).toLowerCase()];
  if (byName) return byName;
  try {
    const { format } = await sharp(input).metadata();
    return CONTENT_TYPES[format] ?? 'application/octet-stream';
  } catch {
    return 'application/octet-stream';
  }
}

const UPLOAD_FORMATS = ['jpeg', 'png', 'webp'];

/** Decodes an upload fully and re-encodes it: JPEG stays JPEG, PNG and WebP become WebP. */
async function reencodeUpload(data: Buffer): Promise<{ data: Buffer; ext: 'jpg' | 'webp'; width: number; height: number }> {
  let format: string | undefined;
  try {
    format = (await sharp(data, { limitInputPixels: MAX_INPUT_PIXELS }).metadata()).format;
  } catch {
    throw new BadRequestException('The upload is not an image (expected a JPEG, PNG or WebP picture)');
  }
  if (!format || !UPLOAD_FORMATS.includes(format)) {
    throw new BadRequestException(`The upload is a ${format ?? 'unknown'} image; only JPEG, PNG and WebP pictures are accepted`);
  }
  const target = format === 'jpeg' ? 'jpeg' : 'webp';
  try {
    const { data: output, info } = await sharp(data, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .autoOrient()
      .toFormat(target, { quality: UPLOAD_QUALITY })
      .toBuffer({ resolveWithObject: true });
    return { data: output, ext: target === 'jpeg' ? 'jpg' : 'webp', width: info.width, height: info.height };
  } catch (error) {
    throw new BadRequestException(`The upload is not an image sharp can decode (${(error as Error).message})`);
  }
}
