import { readFile, stat } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type NfoMetadata, parseNfo } from '@marquee/media';
import { DataSource, In } from 'typeorm';
import { ArtworkService } from '../artwork/artwork.service.js';
import { mergeUnlocked } from '../editing/field-locks.js';
import type { ArtworkKind } from '../entities/item-artwork.entity.js';
import { MediaItem } from '../entities/media-item.entity.js';

const MAX_NFO_BYTES = 1024 * 1024;

/** A lock on every field: what Kodi's `<lockdata>true</lockdata>` means. */
export const ALL_FIELDS_LOCK = '*';

/** The item columns an NFO fills. */
export function nfoToFields(nfo: NfoMetadata): Partial<MediaItem> {
  const fields: Partial<MediaItem> = {};
  if (nfo.title) fields.title = nfo.title;
  if (nfo.originalTitle) fields.originalTitle = nfo.originalTitle;
  if (nfo.sortTitle) fields.sortTitle = nfo.sortTitle;
  if (nfo.year) fields.year = nfo.year;
  if (nfo.plot) fields.overview = nfo.plot;
  if (nfo.tagline) fields.tagline = nfo.tagline;
  if (nfo.premiered && /^\d{4}-\d{2}-\d{2}$/.test(nfo.premiered)) fields.premiereDate = nfo.premiered;
  if (nfo.genres.length) fields.genres = nfo.genres;
  if (nfo.tags.length) fields.tags = nfo.tags;
  if (nfo.studios.length) fields.studios = nfo.studios;
  if (nfo.people.length)
    fields.people = nfo.people.map(({ name, role, character }) => ({ name, role, ...(character ? { character } : {}) }));
  if (nfo.rating !== undefined && nfo.rating >= 0 && nfo.rating <= 10) fields.communityRating = nfo.rating;
  if (nfo.mpaa) fields.officialRating = nfo.mpaa.slice(0, 32);
  return fields;
}

/** The item columns an NFO can write, with their PostgreSQL types (an allowlist: names reach SQL). */
const NFO_COLUMN_TYPES = {
  title: 'text',
  originalTitle: 'text',
  sortTitle: 'text',
  year: 'integer',
  overview: 'text',
  tagline: 'text',
  premiereDate: 'date',
  genres: 'text[]',
  tags: 'text[]',
  studios: 'text[]',
  people: 'jsonb',
  communityRating: 'real',
  officialRating: 'varchar(32)',
  providerIds: 'jsonb',
  lockedFields: 'text[]',
} as const;
type NfoColumns = typeof NFO_COLUMN_TYPES;

/** One NFO entry for one item. */
export interface NfoApplication {
  itemId: string;
  nfo: NfoMetadata;
}

/**
 * What applying `nfo` to `item` writes: the NFO's fields that are neither locked nor unchanged,
 * provider ids merged (unless locked), and a `*` lock when the NFO says `<lockdata>`.
 */
export function nfoUpdate(item: MediaItem, nfo: NfoMetadata): Partial<MediaItem> {
  const update = mergeUnlocked(item, nfoToFields(nfo), item.lockedFields) as Partial<MediaItem>;
  const providerIds = { ...item.providerIds, ...nfo.providerIds };
  if (!item.lockedFields.includes(ALL_FIELDS_LOCK) && !item.lockedFields.includes('providerIds')) update.providerIds = providerIds;
  if (nfo.locked && !item.lockedFields.includes(ALL_FIELDS_LOCK)) update.lockedFields = [...item.lockedFields, ALL_FIELDS_LOCK];
  return update;
}

/**
 * Applies what sits beside the media — Kodi NFOs and folder art — to items, never over a field an
 * admin (or the NFO's own `<lockdata>`) locked. Provider ids are merged, not replaced.
 */
@Injectable()
export class SidecarMetadata {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly artwork: ArtworkService,
  ) {}

  /** Reads and parses an NFO; a broken one is reported, not fatal. */
  async readNfo(path: string): Promise<NfoMetadata[]> {
    const info = await stat(path);
    if (info.size > MAX_NFO_BYTES) throw new Error(`NFO ${path} is larger than 1 MiB`);
    return parseNfo(await readFile(path, 'utf8'));
  }

  /** Applies one NFO entry to one item; returns the fields it wrote. */
  async applyNfo(itemId: string, nfo: NfoMetadata): Promise<string[]> {
    return (await this.applyNfos([{ itemId, nfo }])).get(itemId) ?? [];
  }

  /**
   * Applies NFO entries to many items in one transaction: the items are read and locked in one
   * query, each entry is merged under that item's locks, and items whose merge writes the same
   * fields are updated by one statement. Returns the fields written per item.
   */
  async applyNfos(entries: readonly NfoApplication[]): Promise<Map<string, string[]>> {
    if (entries.length === 0) return new Map();
    return this.dataSource.transaction(async (manager) => {
      const written = new Map<string, string[]>();
      const ids = [...new Set(entries.map((entry) => entry.itemId))];
      // In id order, so two transactions locking overlapping items never deadlock.
      const items = await manager.find(MediaItem, { where: { id: In(ids) }, order: { id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
      const byId = new Map(items.map((item) => [item.id, item]));
      const updates = new Map<string, Partial<MediaItem>>();
      for (const { itemId, nfo } of entries) {
        const item = byId.get(itemId);
        if (!item) continue;
        const update = nfoUpdate(item, nfo);
        if (Object.keys(update).length === 0) continue;
        // A second entry for the same item merges over what the first one wrote.
        Object.assign(item, update);
        updates.set(itemId, { ...updates.get(itemId), ...update });
      }
      const groups = new Map<string, { columns: (keyof NfoColumns)[]; rows: Record<string, unknown>[] }>();
      for (const [id, update] of updates) {
        const columns = (Object.keys(update) as (keyof NfoColumns)[]).sort();
        const signature = columns.join(',');
        let group = groups.get(signature);
        if (!group) groups.set(signature, (group = { columns, rows: [] }));
        group.rows.push({ ...update, id });
        written.set(id, Object.keys(update));
      }
      for (const { columns, rows } of groups.values()) {
        const unknown = columns.filter((column) => !(column in NFO_COLUMN_TYPES));
        if (unknown.length) throw new Error(`NFO fields without a column type: ${unknown.join(', ')}`);
        await manager.query(
          `UPDATE media_items AS i SET ${columns.map((column) => `"${column}" = u."${column}"`).join(', ')}, "updatedAt" = now()
           FROM jsonb_to_recordset($1::jsonb) AS u(id uuid, ${columns.map((column) => `"${column}" ${NFO_COLUMN_TYPES[column]}`).join(', ')})
           WHERE i.id = u.id`,
          [JSON.stringify(rows)],
        );
      }
      return written;
    });
  }

  async applyFolderArt(itemId: string, kind: ArtworkKind, path: string): Promise<boolean> {
    return this.artwork.setArtwork({ itemId, kind, source: 'folder', path });
  }
}
