import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ItemDetail, ItemEditView, ItemSort, ItemSummary, MediaItemType } from '@marquee/contracts';
import { UserItemData } from '@marquee/users-data/entities/user-item-data.entity.js';
import { DataSource, In } from 'typeorm';
import { ArtworkService } from '../artwork/artwork.service.js';
import { ItemEdit } from '../entities/item-edit.entity.js';
import { Library } from '../entities/library.entity.js';
import { MediaFile } from '../entities/media-file.entity.js';
import { MediaItem } from '../entities/media-item.entity.js';
import { MediaStream } from '../entities/media-stream.entity.js';
import { type ItemSummaryRow, toEditView, toFileView, toItemDetail, toItemSummary, toUserDataView } from './item-views.js';

export interface ItemList {
  items: ItemSummary[];
  total: number;
  limit: number;
  offset: number;
}

export interface EditList {
  items: ItemEditView[];
  total: number;
  limit: number;
  offset: number;
}

export interface ItemListQuery {
  type?: MediaItemType[];
  parentId?: string;
  libraryId?: string;
  genre?: string;
  studio?: string;
  person?: string;
  year?: number;
  q?: string;
  includeMissing?: boolean;
  sort?: ItemSort;
  limit: number;
  offset: number;
}

/** How many edits an item's detail shows (newest first); GET items/:id/edits pages through all. */
export const DETAIL_EDITS = 20;

const SUMMARY_COLUMNS = [
  'i.id',
  'i."libraryId"',
  'i."parentId"',
  'i.type',
  'i.title',
  'i."sortTitle"',
  'i.year',
  'i."indexNumber"',
  'i."indexNumberEnd"',
  'i."parentIndexNumber"',
  'i."durationMs"::float8 AS "durationMs"',
  'i.genres',
  'i.artists',
  'i."communityRating"',
  'i."addedAt"',
  'i."missingSince"',
].join(', ');

const TITLE_KEY = `lower(coalesce(i."sortTitle", i.title))`;

/** Every order ends on the id, so pages are stable when the sort keys tie. */
const ORDER_BY: Record<ItemSort, string> = {
  title: `${TITLE_KEY} ASC, i.id ASC`,
  '-title': `${TITLE_KEY} DESC, i.id DESC`,
  year: `i.year ASC NULLS LAST, ${TITLE_KEY} ASC, i.id ASC`,
  '-year': `i.year DESC NULLS LAST, ${TITLE_KEY} ASC, i.id ASC`,
  added: `i."addedAt" ASC, i.id ASC`,
  '-added': `i."addedAt" DESC, i.id DESC`,
  rating: `i."communityRating" ASC NULLS LAST, ${TITLE_KEY} ASC, i.id ASC`,
  '-rating': `i."communityRating" DESC NULLS LAST, ${TITLE_KEY} ASC, i.id ASC`,
  index: `i."parentIndexNumber" ASC NULLS FIRST, i."indexNumber" ASC NULLS LAST, ${TITLE_KEY} ASC, i.id ASC`,
  '-index': `i."parentIndexNumber" DESC NULLS LAST, i."indexNumber" DESC NULLS LAST, ${TITLE_KEY} ASC, i.id ASC`,
};

/** Words of a search: runs of letters (with their combining marks) and digits, in any script. */
const SEARCH_TERM = /[\p{L}\p{M}\p{N}]+/gu;
const MAX_SEARCH_TERMS = 32;

/** The words of a search (deduplicated, at most 32); empty when the text has no letter or digit. */
export function searchTerms(text: string): string[] {
  return [...new Set(text.normalize('NFC').match(SEARCH_TERM) ?? [])].slice(0, MAX_SEARCH_TERMS);
}

/**
 * SQL of a tsquery from a text[] parameter of search terms: each term unaccented, then single-quoted
 * (backslashes and quotes escaped, so no character can act as tsquery syntax) and made a prefix
 * (`'alie':*`), all of them AND-ed.
 */
const tsqueryFromTerms = (ref: string) =>
  `to_tsquery('simple', (SELECT string_agg('''' || replace(replace(marquee_unaccent(t), '\\', '\\\\'), '''', '''''') || ''':*', ' & ')
                         FROM unnest(${ref}::text[]) AS t))`;

/** Reads of the catalogue: filtered lists, full-text search, and one item's detail. */
@Injectable()
export class ItemsQueryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly artwork: ArtworkService,
  ) {}

  async list(query: ItemListQuery, userId: string): Promise<ItemList> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const includeMissing = query.includeMissing === true;
    if (!includeMissing) where.push(`i."missingSince" IS NULL`);
    if (query.type?.length) where.push(`i.type = ANY(${param(query.type)}::media_item_type[])`);
    // Extras (trailers, featurettes…) show up under their film, or when asked for by type.
    else if (!query.parentId) where.push(`i.type <> 'extra'`);
    if (query.parentId) where.push(`i."parentId" = ${param(query.parentId)}`);
    if (query.libraryId) where.push(`i."libraryId" = ${param(query.libraryId)}`);
    if (query.year !== undefined) where.push(`i.year = ${param(query.year)}`);
    // Names compare as GET genres, studios and people group them: trimmed, case ignored.
    if (query.genre) {
      where.push(`EXISTS (SELECT 1 FROM unnest(i.genres) AS g(name) WHERE lower(btrim(g.name)) = lower(${param(query.genre.trim())}))`);
    }
    if (query.studio) {
      where.push(`EXISTS (SELECT 1 FROM unnest(i.studios) AS s(name) WHERE lower(btrim(s.name)) = lower(${param(query.studio.trim())}))`);
    }
    if (query.person) {
      where.push(
        `EXISTS (SELECT 1 FROM jsonb_array_elements(i.people) AS p WHERE lower(btrim(p->>'name')) = lower(${param(query.person.trim())}))`,
      );
    }
    if (query.q !== undefined && query.q.trim() !== '') {
      const terms = searchTerms(query.q);
      // Only punctuation: nothing can match (and nothing is an error).
      where.push(terms.length ? `i."searchVector" @@ ${tsqueryFromTerms(param(terms))}` : 'false');
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const filterParams = [...params];
    const order = ORDER_BY[query.sort ?? 'title'];
    const page = `SELECT ${SUMMARY_COLUMNS} FROM media_items i ${whereSql} ORDER BY ${order} LIMIT ${param(query.limit)} OFFSET ${param(query.offset)}`;
    const [rows, counted] = await Promise.all([
      this.dataSource.query<ItemSummaryRow[]>(page, params),
      this.dataSource.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM media_items i ${whereSql}`, filterParams),
    ]);
    return { items: await this.summaries(rows, userId, includeMissing), total: counted[0].total, limit: query.limit, offset: query.offset };
  }

  /** The children of an item (404 when the item does not exist). */
  async children(parentId: string, query: Omit<ItemListQuery, 'parentId'>, userId: string): Promise<ItemList> {
    await this.requireItem(parentId);
    return this.list({ ...query, parentId }, userId);
  }

  /**
   * Full-text search over titles, artists, album titles and people (see the LibrarySearch
   * migration), accent-insensitive, every word a prefix; ranked by ts_rank with a boost for an exact
   * title. Items whose files all disappeared are left out.
   */
  async search(q: string, limit: number, offset: number, userId: string): Promise<ItemList> {
    if (q.trim() === '') throw new BadRequestException('q must not be blank');
    const terms = searchTerms(q);
    // Only punctuation or symbols: no word to look for, so nothing matches (this is not an error).
    if (terms.length === 0) return { items: [], total: 0, limit, offset };
    const exact = q.normalize('NFC').trim().replace(/\s+/g, ' ');
    const from = `FROM media_items i, ${tsqueryFromTerms('$1')} AS query
                  WHERE i."searchVector" @@ query AND i."missingSince" IS NULL`;
    const rank = `ts_rank(i."searchVector", query)
                  + CASE WHEN lower(marquee_unaccent(i.title)) = lower(marquee_unaccent($2::text)) THEN 1 ELSE 0 END`;
    const [rows, counted] = await Promise.all([
      this.dataSource.query<ItemSummaryRow[]>(
        `SELECT ${SUMMARY_COLUMNS} ${from} ORDER BY ${rank} DESC, ${TITLE_KEY} ASC, i.id ASC LIMIT $3 OFFSET $4`,
        [terms, exact, limit, offset],
      ),
      this.dataSource.query<{ total: number }[]>(`SELECT count(*)::int AS total ${from}`, [terms]),
    ]);
    return { items: await this.summaries(rows, userId, false), total: counted[0].total, limit, offset };
  }

  /** One item with its files and streams, pictures, the caller's own user data and its latest edits. */
  async detail(id: string, userId: string): Promise<ItemDetail> {
    const item = await this.dataSource.getRepository(MediaItem).findOneBy({ id });
    if (!item) throw new NotFoundException(`Item ${id} not found`);
    const [files, library, userData, edits, childCounts, artwork, parent] = await Promise.all([
      this.dataSource.getRepository(MediaFile).find({ where: { itemId: id }, order: { path: 'ASC', archiveEntry: 'ASC' } }),
      this.dataSource.getRepository(Library).findOne({ select: { id: true, folders: true }, where: { id: item.libraryId } }),
      this.dataSource.getRepository(UserItemData).findOneBy({ userId, itemId: id }),
      this.dataSource.getRepository(ItemEdit).find({ where: { itemId: id }, order: { at: 'DESC', id: 'DESC' }, take: DETAIL_EDITS }),
      this.childCounts([id], false),
      this.artwork.urlsFor([item], userId),
      item.parentId
        ? this.dataSource.getRepository(MediaItem).findOne({ select: { id: true, title: true }, where: { id: item.parentId } })
        : null,
    ]);
    const streams = files.length
      ? await this.dataSource
          .getRepository(MediaStream)
          .find({ where: { fileId: In(files.map((file) => file.id)) }, order: { streamIndex: 'ASC' } })
      : [];
    const folders = library?.folders ?? [];
    return toItemDetail(item, {
      childCount: childCounts.get(id) ?? 0,
      parentTitle: parent?.title ?? null,
      artwork: artwork.get(id) ?? {},
      files: files.map((file) =>
        toFileView(
          file,
          streams.filter((stream) => stream.fileId === file.id),
          folders,
        ),
      ),
      userData: toUserDataView(userData),
      edits: edits.map(toEditView),
    });
  }

  /** An item's whole edit history, newest first. */
  async edits(id: string, limit: number, offset: number): Promise<EditList> {
    await this.requireItem(id);
    const [rows, total] = await this.dataSource.getRepository(ItemEdit).findAndCount({
      where: { itemId: id },
      order: { at: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
    });
    return { items: rows.map(toEditView), total, limit, offset };
  }

  async requireItem(id: string): Promise<void> {
    const [item] = await this.dataSource.query<{ id: string }[]>(`SELECT id FROM media_items WHERE id = $1`, [id]);
    if (!item) throw new NotFoundException(`Item ${id} not found`);
  }

  private async summaries(rows: ItemSummaryRow[], userId: string, includeMissing: boolean): Promise<ItemSummary[]> {
    const [counts, artwork] = await Promise.all([
      this.childCounts(
        rows.map((row) => row.id),
        includeMissing,
      ),
      this.artwork.urlsFor(rows, userId),
    ]);
    return rows.map((row) => toItemSummary(row, counts.get(row.id) ?? 0, artwork.get(row.id) ?? {}));
  }

  /** Children per parent in one grouped query; missing children count only when they are listed too. */
  private async childCounts(ids: string[], includeMissing: boolean): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await this.dataSource.query<{ parentId: string; count: number }[]>(
      `SELECT "parentId", count(*)::int AS count FROM media_items
       WHERE "parentId" = ANY($1::uuid[]) ${includeMissing ? '' : 'AND "missingSince" IS NULL'}
       GROUP BY "parentId"`,
      [ids],
    );
    return new Map(rows.map((row) => [row.parentId, row.count]));
  }
}
