import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MediaItemType } from '@marquee/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { CONTAINER_TYPES, isContainer, isPlayable, PLAYABLE_TYPES } from '../playback/play-rules.js';

export interface ItemRef {
  id: string;
  type: MediaItemType;
  durationMs: number | null;
  missing: boolean;
}

/** Sort key of a child under its container: disc/season, then number, then year and title (specials after the seasons). */
const CHILD_KEY = `lpad(CASE WHEN c.type = 'season' AND c."indexNumber" = 0 THEN 999999 ELSE coalesce(c."parentIndexNumber", 0) END::text, 6, '0')
  || lpad(coalesce(c."indexNumber", 0)::text, 6, '0') || lpad(coalesce(c.year, 0)::text, 4, '0')
  || lower(coalesce(c."sortTitle", c.title)) || c.id::text`;

/** Checks item ids sent by a caller, and turns containers (albums, series…) into the items they hold, in order. */
@Injectable()
export class PlayableItems {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The items, 404 naming the first id that does not exist. */
  async require(ids: readonly string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, ItemRef>> {
    const unique = [...new Set(ids)];
    const rows = await manager.query<ItemRef[]>(
      `SELECT id, type, "durationMs"::float8 AS "durationMs", "missingSince" IS NOT NULL AS missing FROM media_items WHERE id = ANY($1::uuid[])`,
      [unique],
    );
    const found = new Map(rows.map((row) => [row.id, row]));
    const absent = unique.filter((id) => !found.has(id));
    if (absent.length === 1) throw new NotFoundException(`Item ${absent[0]} not found`);
    if (absent.length > 1)
      throw new NotFoundException(`Items not found: ${absent.slice(0, 5).join(', ')}${absent.length > 5 ? ', …' : ''}`);
    return found;
  }

  /**
   * The playable items these ids stand for, in the order given: a track, film, episode or extra is
   * itself (missing or not); an album, artist, series or season is its present tracks or episodes in
   * disc/season and number order. Anything else (galleries, images) is refused.
   */
  async expand(ids: readonly string[], manager: EntityManager = this.dataSource.manager): Promise<string[]> {
    const items = await this.require(ids, manager);
    const refused = [...items.values()].find((item) => !isPlayable(item.type) && !isContainer(item.type));
    if (refused) {
      throw new BadRequestException(
        `Item ${refused.id} is a ${refused.type}; only ${PLAYABLE_TYPES.join(', ')} items, or the ${CONTAINER_TYPES.join(', ')} holding them, can be played`,
      );
    }
    if (![...items.values()].some((item) => isContainer(item.type))) return [...ids];
    const rows = await manager.query<{ id: string }[]>(
      `WITH RECURSIVE tree AS (
         SELECT i.id, i.type, ARRAY[lpad(r.n::text, 6, '0')] AS path
         FROM unnest($1::uuid[]) WITH ORDINALITY AS r(id, n) JOIN media_items i ON i.id = r.id
         UNION ALL
         SELECT c.id, c.type, t.path || (${CHILD_KEY})
         FROM tree t JOIN media_items c ON c."parentId" = t.id
         WHERE t.type = ANY($2::media_item_type[]) AND c.type <> 'extra' AND c."missingSince" IS NULL
       )
       SELECT id FROM tree WHERE type = ANY($3::media_item_type[]) ORDER BY path`,
      [ids, CONTAINER_TYPES, PLAYABLE_TYPES],
    );
    return rows.map((row) => row.id);
  }
}
