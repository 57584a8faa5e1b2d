import { readFile, stat } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type NfoMetadata, parseNfo } from '@marquee/media';
import { DataSource } from 'typeorm';
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

  async applyNfo(itemId: string, nfo: NfoMetadata): Promise<string[]> {
    return this.dataSource.transaction(async (manager) => {
      const item = await manager.findOne(MediaItem, { where: { id: itemId }, lock: { mode: 'pessimistic_write' } });
      if (!item) return [];
      const changes = mergeUnlocked(item, nfoToFields(nfo), item.lockedFields) as Partial<MediaItem>;
      const providerIds = { ...item.providerIds, ...nfo.providerIds };
      const update: Partial<MediaItem> = { ...changes };
      if (!item.lockedFields.includes(ALL_FIELDS_LOCK) && !item.lockedFields.includes('providerIds')) update.providerIds = providerIds;
      if (nfo.locked && !item.lockedFields.includes(ALL_FIELDS_LOCK)) update.lockedFields = [...item.lockedFields, ALL_FIELDS_LOCK];
      if (Object.keys(update).length === 0) return [];
      await manager.update(MediaItem, { id: itemId }, update);
      return Object.keys(update);
    });
  }

  async applyFolderArt(itemId: string, kind: ArtworkKind, path: string): Promise<boolean> {
    return this.artwork.setArtwork({ itemId, kind, source: 'folder', path });
  }
}
