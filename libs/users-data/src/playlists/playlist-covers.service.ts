import { createHash } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { API_PREFIX, type PlaylistCover } from '@marquee/contracts';
import { StreamTokenService } from '@marquee/auth/tokens/stream-token.service.js';
import { ArtworkStore, TEMP_PREFIX } from '@marquee/library/artwork/artwork-store.js';
import { ArtworkService, artworkTokenWindow } from '@marquee/library/artwork/artwork.service.js';
import type { ArtworkKind } from '@marquee/library/entities/item-artwork.entity.js';
import sharp from 'sharp';
import { DataSource } from 'typeorm';

/** One picture standing for an entry: the item's own cover or poster, else its album's or series', else its own frame. */
export interface CoverTile {
  itemId: string;
  kind: ArtworkKind;
  version: string;
}

export interface RenderedCover {
  path: string;
  version: string;
  etag: string;
}

/** How many pictures a collage takes (2×2), and how many first entries are searched for them. */
export const COLLAGE_TILES = 4;
const ENTRIES_SEARCHED = 24;
export const DEFAULT_COVER_SIZE = 600;
export const MIN_COVER_SIZE = 100;
export const MAX_COVER_SIZE = 1200;
/** Sizes are rounded up to a multiple of this, so a playlist has a dozen cached sizes at most. */
const SIZE_STEP = 100;

/** The size a cover is made at for a requested size: rounded up to a step, within bounds. */
export const coverSize = (requested: number): number =>
  Math.min(MAX_COVER_SIZE, Math.max(MIN_COVER_SIZE, Math.ceil(requested / SIZE_STEP) * SIZE_STEP));
const QUALITY = 82;

/**
 * Playlist covers, as Plex and Navidrome make them: a 2×2 collage of the pictures of a playlist's
 * first items (distinct pictures, so four tracks of one album give one tile; fewer than four: the first
 * picture alone). Made with sharp on request, cached in `<dataDir>/cache/playlist-covers/<playlist>/`
 * under a hash of the pictures used, so a changed head of the playlist is a new URL.
 */
@Injectable()
export class PlaylistCovers {
  private readonly logger = new Logger(PlaylistCovers.name);
  private readonly root: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly artwork: ArtworkService,
    private readonly store: ArtworkStore,
    private readonly streamTokens: StreamTokenService,
  ) {
    this.root = join(store.dataDir, 'cache', 'playlist-covers');
  }

  /** The tiles of each playlist, in playlist order. */
  async tiles(playlistIds: readonly string[]): Promise<Map<string, CoverTile[]>> {
    const tiles = new Map<string, CoverTile[]>(playlistIds.map((id) => [id, []]));
    if (playlistIds.length === 0) return tiles;
    const rows = await this.dataSource.query<(CoverTile & { playlistId: string })[]>(
      `SELECT p.id AS "playlistId", t."itemId", t.kind, t.version
       FROM unnest($1::uuid[]) AS p(id)
       CROSS JOIN LATERAL (
         SELECT pic."itemId", pic.kind, pic.version, e.position
         FROM (SELECT "itemId", position FROM playlist_entries WHERE "playlistId" = p.id ORDER BY position LIMIT ${ENTRIES_SEARCHED}) e
         JOIN media_items i ON i.id = e."itemId"
         LEFT JOIN media_items parent ON parent.id = i."parentId"
         LEFT JOIN media_items grand ON grand.id = parent."parentId"
         CROSS JOIN LATERAL (
           SELECT a."itemId", a.kind, a.version FROM item_artwork a
           WHERE a."itemId" IN (i.id, parent.id, grand.id) AND a.kind IN ('cover', 'poster', 'thumb')
           ORDER BY CASE WHEN a.kind = 'thumb' THEN 3 WHEN a."itemId" = i.id THEN 0 WHEN a."itemId" = parent.id THEN 1 ELSE 2 END,
                    a."itemId" = i.id DESC, a.kind
           LIMIT 1
         ) pic
       ) t
       ORDER BY p.id, t.position`,
      [playlistIds],
    );
    for (const row of rows) {
      const list = tiles.get(row.playlistId)!;
      if (list.length < COLLAGE_TILES && !list.some((tile) => tile.itemId === row.itemId)) {
        list.push({ itemId: row.itemId, kind: row.kind, version: row.version });
      }
    }
    return tiles;
  }

  /** The cover of each playlist for this user: the collage URL and the tiles' own URLs. */
  async covers(playlistIds: readonly string[], userId: string, now = Date.now()): Promise<Map<string, PlaylistCover>> {
    const tiles = await this.tiles(playlistIds);
    const owners = [...new Set([...tiles.values()].flat().map((tile) => tile.itemId))];
    const urls = await this.artwork.urlsFor(
      owners.map((id) => ({ id })),
      userId,
      now,
    );
    const window = artworkTokenWindow(now);
    const covers = new Map<string, PlaylistCover>();
    for (const [playlistId, list] of tiles) {
      const tileUrls = list.flatMap((tile) => urls.get(tile.itemId)?.[tile.kind] ?? []);
      const url =
        list.length === 0
          ? null
          : `/${API_PREFIX}/playlists/${playlistId}/cover?v=${coverVersion(list)}&st=${encodeURIComponent(
              this.streamTokens.sign(userId, playlistId, window.ttlSeconds, window.signedAt),
            )}`;
      covers.set(playlistId, { url, tiles: tileUrls });
    }
    return covers;
  }

  /** The collage file of a playlist (the caller checked it is theirs), made when not cached yet. */
  async render(playlistId: string, requestedSize = DEFAULT_COVER_SIZE): Promise<RenderedCover> {
    const size = coverSize(requestedSize);
    const tiles = (await this.tiles([playlistId])).get(playlistId)!;
    if (tiles.length === 0) throw new NotFoundException(`Playlist ${playlistId} has no pictures to make a cover from`);
    const version = coverVersion(tiles);
    const dir = this.dirOf(playlistId);
    const name = `${version}-s${size}.webp`;
    const path = join(dir, name);
    const etag = `"${version}-s${size}"`;
    if (await stat(path).catch(() => undefined)) return { path, version, etag };

    const half = Math.floor(size / 2);
    const pictures = tiles.length >= COLLAGE_TILES ? await this.pictures(tiles, half) : [];
    let image: Buffer;
    if (pictures.length >= COLLAGE_TILES) {
      image = await sharp({ create: { width: half * 2, height: half * 2, channels: 3, background: '#000000' } })
        .composite(pictures.slice(0, COLLAGE_TILES).map((input, i) => ({ input, left: (i % 2) * half, top: Math.floor(i / 2) * half })))
        .webp({ quality: QUALITY })
        .toBuffer();
    } else {
      const [single] = await this.pictures(tiles, size, 1);
      if (!single) throw new NotFoundException(`The pictures of playlist ${playlistId} are missing`);
      image = await sharp(single).webp({ quality: QUALITY }).toBuffer();
    }
    await this.store.writeAtomic(path, image);
    await this.removeStale(dir, version);
    return { path, version, etag };
  }

  /** Drops the cached covers of a deleted playlist. */
  async forget(playlistId: string): Promise<void> {
    await rm(this.dirOf(playlistId), { recursive: true, force: true });
  }

  /** Square crops of the tiles' pictures (those that can be read), at most `wanted`. */
  private async pictures(tiles: CoverTile[], px: number, wanted = COLLAGE_TILES): Promise<Buffer[]> {
    const pictures: Buffer[] = [];
    for (const tile of tiles) {
      if (pictures.length >= wanted) break;
      try {
        const served = await this.artwork.serve(tile.itemId, tile.kind, Math.min(Math.max(px, 16), 4096));
        const source = served.data ?? served.path!;
        pictures.push(await sharp(source).resize(px, px, { fit: 'cover' }).toBuffer());
      } catch (error) {
        this.logger.warn(`Leaving the ${tile.kind} of item ${tile.itemId} out of a playlist cover: ${(error as Error).message}`);
      }
    }
    return pictures;
  }

  private dirOf(playlistId: string): string {
    if (!/^[0-9a-f-]{36}$/i.test(playlistId)) throw new Error(`Not a playlist id: ${JSON.stringify(playlistId)}`);
    return join(this.root, playlistId.toLowerCase());
  }

  private async removeStale(dir: string, version: string): Promise<void> {
    const names = await readdir(dir).catch(() => [] as string[]);
    const stale = names.filter((name) => !name.startsWith(`${version}-`) && !name.startsWith(TEMP_PREFIX));
    await Promise.all(stale.map((name) => rm(join(dir, name), { force: true })));
  }
}

/** Changes whenever a picture of the collage does, or the pictures do. */
export function coverVersion(tiles: readonly CoverTile[]): string {
  return createHash('sha1')
    .update(tiles.map((tile) => `${tile.itemId}:${tile.kind}:${tile.version}`).join('|'))
    .digest('hex')
    .slice(0, 16);
}
