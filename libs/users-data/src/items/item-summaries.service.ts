import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ItemSummary } from '@marquee/contracts';
import { ArtworkService } from '@marquee/library/artwork/artwork.service.js';
import { type ItemSummaryRow, toItemSummary } from '@marquee/library/items/item-views.js';
import { DataSource } from 'typeorm';

const SUMMARY_COLUMNS = `id, "libraryId", "parentId", type, title, "sortTitle", year, "indexNumber", "indexNumberEnd", "parentIndexNumber",
  "durationMs"::float8 AS "durationMs", genres, artists, "communityRating", "addedAt", "missingSince"`;

/** Item summaries (as the catalogue lists them: child counts, signed artwork URLs) for rows of the caller's own lists. */
@Injectable()
export class ItemSummaries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly artwork: ArtworkService,
  ) {}

  /** Summaries by id (each id once, whatever the repeats); ids of items that no longer exist are absent. */
  async load(ids: readonly string[], userId: string): Promise<Map<string, ItemSummary>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const [rows, counts] = await Promise.all([
      this.dataSource.query<ItemSummaryRow[]>(`SELECT ${SUMMARY_COLUMNS} FROM media_items WHERE id = ANY($1::uuid[])`, [unique]),
      this.dataSource.query<{ parentId: string; count: number }[]>(
        `SELECT "parentId", count(*)::int AS count FROM media_items
         WHERE "parentId" = ANY($1::uuid[]) AND "missingSince" IS NULL GROUP BY "parentId"`,
        [unique],
      ),
    ]);
    const childCounts = new Map(counts.map((row) => [row.parentId, row.count]));
    const artwork = await this.artwork.urlsFor(rows, userId);
    return new Map(rows.map((row) => [row.id, toItemSummary(row, childCounts.get(row.id) ?? 0, artwork.get(row.id) ?? {})]));
  }
}
