import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { HistoryEntryView, MediaItemType, PageOf, ScrobbleRequest, ScrobbleResponse } from '@marquee/contracts';
import { DataSource } from 'typeorm';
import type { UserItemData } from '../entities/user-item-data.entity.js';
import { ItemSummaries } from '../items/item-summaries.service.js';
import { PlayableItems } from '../items/playable-items.service.js';
import { isPlayable, judgePlay, PLAYABLE_TYPES } from '../playback/play-rules.js';
import { userDataView } from '../user-data/user-data-view.js';
import { historyEntryView, recordPlay } from './play-recorder.js';

/** Plays reported with a time this far ahead of the server's clock are refused (clock skew is allowed for). */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

export interface HistoryQuery {
  itemId?: string;
  type?: MediaItemType[];
  limit: number;
  offset: number;
}

/** Each user's play history: scrobbles judged by the play rules, and the list of counted plays. */
@Injectable()
export class HistoryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly items: PlayableItems,
    private readonly summaries: ItemSummaries,
  ) {}

  /**
   * A client reports a play. When it counts (tracks: half their length or 4 minutes; videos: 90 %),
   * it is recorded once: a history entry, one more play, the latest play time and the played flag.
   * Otherwise nothing changes and the answer says why.
   */
  async scrobble(userId: string, request: ScrobbleRequest, now = new Date()): Promise<ScrobbleResponse> {
    const playedAt = request.playedAt ? new Date(request.playedAt) : now;
    if (playedAt.getTime() > now.getTime() + MAX_FUTURE_SKEW_MS) {
      throw new BadRequestException(`playedAt ${request.playedAt} is in the future`);
    }
    const outcome = await this.dataSource.transaction(async (manager) => {
      const item = (await this.items.require([request.itemId], manager)).get(request.itemId)!;
      if (!isPlayable(item.type)) {
        throw new BadRequestException(`A ${item.type} cannot be scrobbled; only ${PLAYABLE_TYPES.join(', ')} items can`);
      }
      const verdict = judgePlay(item.type, item.durationMs, request.playedMs);
      if (!verdict.counted) {
        const [row] = await manager.query<UserItemData[]>(`SELECT * FROM user_item_data WHERE "userId" = $1 AND "itemId" = $2`, [
          userId,
          request.itemId,
        ]);
        return { counted: false as const, reason: verdict.reason, userData: userDataView(row) };
      }
      return { counted: true as const, ...(await recordPlay(manager, userId, request.itemId, request.playedMs, playedAt)) };
    });
    if (!outcome.counted) return { counted: false, reason: outcome.reason, entry: null, userData: outcome.userData };
    const summary = (await this.summaries.load([request.itemId], userId)).get(request.itemId)!;
    return {
      counted: true,
      ...(outcome.duplicate ? { duplicate: true } : {}),
      entry: historyEntryView(outcome.entry, summary),
      userData: outcome.userData,
    };
  }

  /** The caller's plays, latest first; optionally of one item or of some types. */
  async list(userId: string, query: HistoryQuery): Promise<PageOf<HistoryEntryView>> {
    const where = `h."userId" = $1 AND ($2::uuid IS NULL OR h."itemId" = $2) AND ($3::media_item_type[] IS NULL OR i.type = ANY($3::media_item_type[]))`;
    const params = [userId, query.itemId ?? null, query.type?.length ? query.type : null];
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query<{ id: string; itemId: string; playedAt: Date; playedMs: string }[]>(
        `SELECT h.id, h."itemId", h."playedAt", h."playedMs" FROM play_history h JOIN media_items i ON i.id = h."itemId"
         WHERE ${where} ORDER BY h."playedAt" DESC, h.id DESC LIMIT $4 OFFSET $5`,
        [...params, query.limit, query.offset],
      ),
      this.dataSource.query<{ total: number }[]>(
        `SELECT count(*)::int AS total FROM play_history h JOIN media_items i ON i.id = h."itemId" WHERE ${where}`,
        params,
      ),
    ]);
    const summaries = await this.summaries.load(
      rows.map((row) => row.itemId),
      userId,
    );
    return {
      items: rows.flatMap((row) => {
        const item = summaries.get(row.itemId);
        return item ? [historyEntryView({ id: row.id, playedAt: row.playedAt, playedMs: Number(row.playedMs) }, item)] : [];
      }),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }
}
