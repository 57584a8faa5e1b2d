import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  MarkPlayedResponse,
  MediaItemType,
  PageOf,
  ResumableType,
  ResumeEntry,
  UpdateUserDataRequest,
  UserItemDataView,
  UserItemEntry,
} from '@marquee/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import type { UserItemData } from '../entities/user-item-data.entity.js';
import { recordPlay } from '../history/play-recorder.js';
import { ItemSummaries } from '../items/item-summaries.service.js';
import { PlayableItems } from '../items/playable-items.service.js';
import { applyProgress, CASCADE_TYPES, isPlayable, PLAYABLE_TYPES, PLAYED_RATIO } from '../playback/play-rules.js';
import { runWrite } from '../sql.js';
import { userDataView } from './user-data-view.js';

/** "Continue watching" lists these unless asked for other types. */
export const DEFAULT_RESUME_TYPES: ResumableType[] = ['movie', 'episode', 'extra'];

/** The furthest-played episode per series, and when the series was last played (specials aside). */
const WATCHED_SERIES = `
  SELECT s.series, max(d."lastPlayedAt") AS at,
         max(ARRAY[coalesce(e."parentIndexNumber", 1), coalesce(e."indexNumberEnd", e."indexNumber", 0)]) AS furthest
  FROM user_item_data d
  JOIN media_items e ON e.id = d."itemId" AND e.type = 'episode'
  LEFT JOIN media_items p ON p.id = e."parentId"
  CROSS JOIN LATERAL (SELECT CASE WHEN p.type = 'season' THEN p."parentId" ELSE e."parentId" END AS series) s
  WHERE d."userId" = $1 AND d.played AND s.series IS NOT NULL AND coalesce(e."parentIndexNumber", 1) <> 0
  GROUP BY s.series`;

/** The first present, unplayed episode after the furthest played one, per series in progress. */
const NEXT_UP = `
  SELECT n.id, w.at, 'next-up'::text AS reason
  FROM watched w
  CROSS JOIN LATERAL (
    SELECT e.id FROM media_items e
    LEFT JOIN user_item_data nd ON nd."itemId" = e.id AND nd."userId" = $1
    WHERE e.type = 'episode' AND e."missingSince" IS NULL
      AND (e."parentId" = w.series OR e."parentId" IN (SELECT id FROM media_items WHERE "parentId" = w.series AND type = 'season'))
      AND coalesce(e."parentIndexNumber", 1) <> 0
      AND ARRAY[coalesce(e."parentIndexNumber", 1), coalesce(e."indexNumber", 0)] > w.furthest
      AND NOT coalesce(nd.played, false)
    ORDER BY coalesce(e."parentIndexNumber", 1), coalesce(e."indexNumber", 0), lower(e.title), e.id
    LIMIT 1
  ) n`;

/**
 * A user's state of items: played (with the cascade over a container's children), resume points,
 * favourites and ratings; "continue watching" and favourites lists. Rows exist only for items a user
 * touched; an untouched item reads as unplayed, at 0, not a favourite, unrated.
 */
@Injectable()
export class UserDataService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly items: PlayableItems,
    private readonly summaries: ItemSummaries,
  ) {}

  async get(userId: string, itemId: string): Promise<UserItemDataView> {
    await this.items.require([itemId]);
    return this.read(this.dataSource.manager, userId, itemId);
  }

  /**
   * Applies an update: `played` first (true resets the resume point, so a position sent with it is
   * ignored; false clears plays and the resume point, then a position sent with it is kept), then the
   * position (at or past 90 % it becomes a recorded play), then favourite and rating.
   */
  async update(userId: string, itemId: string, request: UpdateUserDataRequest): Promise<UserItemDataView> {
    return this.dataSource.transaction(async (manager) => {
      const item = (await this.items.require([itemId], manager)).get(itemId)!;
      if (request.positionMs !== undefined && !isPlayable(item.type)) {
        throw new BadRequestException(`A ${item.type} has no resume position; only ${PLAYABLE_TYPES.join(', ')} items do`);
      }
      if (request.played !== undefined) await this.setPlayed(manager, userId, itemId, request.played);
      if (request.positionMs !== undefined && request.played !== true) {
        const progress = applyProgress(item.durationMs, request.positionMs);
        if (progress.completes) await recordPlay(manager, userId, itemId, request.positionMs, new Date());
        else await this.write(manager, userId, itemId, `"positionMs" = $3, "lastPlayedAt" = now()`, [progress.positionMs]);
      }
      if (request.favorite !== undefined) await this.write(manager, userId, itemId, `favorite = $3`, [request.favorite]);
      if (request.rating !== undefined) await this.write(manager, userId, itemId, `rating = $3`, [request.rating]);
      return this.read(manager, userId, itemId);
    });
  }

  /** POST/DELETE items/:id/played: the item, and for a series, season, artist, album or gallery everything under it. */
  async markPlayed(userId: string, itemId: string, played: boolean): Promise<MarkPlayedResponse> {
    return this.dataSource.transaction(async (manager) => {
      await this.items.require([itemId], manager);
      const affectedItems = await this.setPlayed(manager, userId, itemId, played);
      return { userData: await this.read(manager, userId, itemId), affectedItems };
    });
  }

  /**
   * "Continue watching": items started and not yet at 90 % (the latest first), and for each series in
   * progress its next unplayed episode after the furthest one played (dated by the series' last
   * play). Items whose files are missing are left out.
   */
  async resume(userId: string, types: readonly ResumableType[], limit: number, offset: number): Promise<PageOf<ResumeEntry>> {
    const withNextUp = types.includes('episode');
    const [page] = await this.dataSource.query<
      { total: number; rows: { id: string; at: string | null; reason: ResumeEntry['reason'] }[] }[]
    >(
      `WITH resume AS (
         SELECT d."itemId" AS id, d."lastPlayedAt" AS at, 'resume'::text AS reason
         FROM user_item_data d JOIN media_items i ON i.id = d."itemId"
         WHERE d."userId" = $1 AND d."positionMs" > 0 AND i."missingSince" IS NULL AND i.type = ANY($2::media_item_type[])
           AND (i."durationMs" IS NULL OR i."durationMs" <= 0 OR d."positionMs" < i."durationMs" * ${PLAYED_RATIO})
       ),
       watched AS (${withNextUp ? WATCHED_SERIES : 'SELECT NULL::uuid AS series, NULL::timestamptz AS at, NULL::int[] AS furthest WHERE false'}),
       next_up AS (${NEXT_UP}),
       listed AS (SELECT * FROM resume UNION ALL SELECT * FROM next_up WHERE id NOT IN (SELECT id FROM resume)),
       page AS (SELECT * FROM listed ORDER BY at DESC NULLS LAST, id LIMIT $3 OFFSET $4)
       SELECT (SELECT count(*)::int FROM listed) AS total,
              coalesce((SELECT json_agg(page ORDER BY at DESC NULLS LAST, id) FROM page), '[]'::json) AS rows`,
      [userId, types, limit, offset],
    );
    const entries = await this.entries(
      userId,
      page.rows.map((row) => row.id),
    );
    return {
      items: page.rows.flatMap((row) => {
        const entry = entries.get(row.id);
        return entry ? [{ ...entry, reason: row.reason, lastPlayedAt: row.at ? new Date(row.at).toISOString() : null }] : [];
      }),
      total: page.total,
      limit,
      offset,
    };
  }

  /** The caller's favourites (present items), by title. */
  async favorites(
    userId: string,
    types: readonly MediaItemType[] | undefined,
    limit: number,
    offset: number,
  ): Promise<PageOf<UserItemEntry>> {
    const where = `d."userId" = $1 AND d.favorite AND i."missingSince" IS NULL AND ($2::media_item_type[] IS NULL OR i.type = ANY($2::media_item_type[]))`;
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query<{ id: string }[]>(
        `SELECT i.id FROM user_item_data d JOIN media_items i ON i.id = d."itemId" WHERE ${where}
         ORDER BY lower(coalesce(i."sortTitle", i.title)), i.id LIMIT $3 OFFSET $4`,
        [userId, types?.length ? types : null, limit, offset],
      ),
      this.dataSource.query<{ total: number }[]>(
        `SELECT count(*)::int AS total FROM user_item_data d JOIN media_items i ON i.id = d."itemId" WHERE ${where}`,
        [userId, types?.length ? types : null],
      ),
    ]);
    const entries = await this.entries(
      userId,
      rows.map((row) => row.id),
    );
    return { items: rows.flatMap((row) => entries.get(row.id) ?? []), total, limit, offset };
  }

  /** Item summaries with the user's data of each. */
  private async entries(userId: string, ids: string[]): Promise<Map<string, UserItemEntry>> {
    const [summaries, data] = await Promise.all([
      this.summaries.load(ids, userId),
      ids.length
        ? this.dataSource.query<UserItemData[]>(`SELECT * FROM user_item_data WHERE "userId" = $1 AND "itemId" = ANY($2::uuid[])`, [
            userId,
            ids,
          ])
        : [],
    ]);
    const byItem = new Map(data.map((row) => [row.itemId, row]));
    const entries = new Map<string, UserItemEntry>();
    for (const [id, item] of summaries) entries.set(id, { item, userData: userDataView(byItem.get(id)) });
    return entries;
  }

  /**
   * Played: each item gets at least one play, keeps its first play time (or now), and loses its
   * resume point (Jellyfin's MarkPlayed). Unplayed: plays, play time and resume point are cleared.
   * Containers take their whole subtree along (extras of a film stay as they are). Rows are written
   * in item id order, so two overlapping cascades of one user wait for each other instead of
   * deadlocking. Returns how many items that covered.
   */
  private async setPlayed(manager: EntityManager, userId: string, itemId: string, played: boolean): Promise<number> {
    const tree = `WITH RECURSIVE tree AS (
        SELECT id, type FROM media_items WHERE id = $2
        UNION ALL
        SELECT c.id, c.type FROM tree t JOIN media_items c ON c."parentId" = t.id
        WHERE t.type = ANY($3::media_item_type[]) AND c.type <> 'extra'
      )`;
    const rows = played
      ? await manager.query<{ count: number }[]>(
          `${tree}, marked AS (
             INSERT INTO user_item_data ("userId", "itemId", played, "playCount", "positionMs", "lastPlayedAt")
             SELECT $1, id, true, 1, 0, now() FROM tree ORDER BY id
             ON CONFLICT ("userId", "itemId") DO UPDATE SET played = true, "playCount" = GREATEST(user_item_data."playCount", 1),
               "positionMs" = 0, "lastPlayedAt" = coalesce(user_item_data."lastPlayedAt", now()), "updatedAt" = now()
             RETURNING 1
           )
           SELECT count(*)::int AS count FROM marked`,
          [userId, itemId, CASCADE_TYPES],
        )
      : await manager.query<{ count: number }[]>(
          `${tree}, locked AS (
             SELECT "itemId" FROM user_item_data WHERE "userId" = $1 AND "itemId" IN (SELECT id FROM tree) ORDER BY "itemId" FOR UPDATE
           ),
           cleared AS (
             UPDATE user_item_data SET played = false, "playCount" = 0, "positionMs" = 0, "lastPlayedAt" = NULL, "updatedAt" = now()
             WHERE "userId" = $1 AND "itemId" IN (SELECT "itemId" FROM locked)
             RETURNING 1
           )
           SELECT (SELECT count(*)::int FROM tree) AS count, (SELECT count(*) FROM cleared) AS cleared`,
          [userId, itemId, CASCADE_TYPES],
        );
    return rows[0].count;
  }

  /** Sets columns of the user's row of an item (made when missing); `$3…` are `values`. */
  private async write(manager: EntityManager, userId: string, itemId: string, set: string, values: unknown[]): Promise<void> {
    await manager.query(`INSERT INTO user_item_data ("userId", "itemId") VALUES ($1, $2) ON CONFLICT DO NOTHING`, [userId, itemId]);
    await runWrite(manager, `UPDATE user_item_data SET ${set}, "updatedAt" = now() WHERE "userId" = $1 AND "itemId" = $2`, [
      userId,
      itemId,
      ...values,
    ]);
  }

  private async read(manager: EntityManager, userId: string, itemId: string): Promise<UserItemDataView> {
    const [row] = await manager.query<UserItemData[]>(`SELECT * FROM user_item_data WHERE "userId" = $1 AND "itemId" = $2`, [
      userId,
      itemId,
    ]);
    return userDataView(row);
  }
}
