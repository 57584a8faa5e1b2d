import type { HistoryEntryView, UserItemDataView } from '@marquee/contracts';
import type { EntityManager } from 'typeorm';
import type { UserItemData } from '../entities/user-item-data.entity.js';
import { SAME_PLAY_WINDOW_MS } from '../playback/play-rules.js';
import { runWrite } from '../sql.js';
import { userDataView } from '../user-data/user-data-view.js';

export interface RecordedPlay {
  entry: { id: string; playedAt: Date; playedMs: number };
  duplicate: boolean;
  userData: UserItemDataView;
}

/**
 * Records one counted play inside the caller's transaction: a history row, and on the user's data
 * of the item one more play, the latest play time and the played flag (the resume point goes when
 * this is the latest play). The user's row of the item is locked first, so a retried or doubled
 * report (another play of the same item within 30 s of a recorded one) is recognised and adds nothing.
 */
export async function recordPlay(
  manager: EntityManager,
  userId: string,
  itemId: string,
  playedMs: number,
  playedAt: Date,
): Promise<RecordedPlay> {
  await manager.query(`INSERT INTO user_item_data ("userId", "itemId") VALUES ($1, $2) ON CONFLICT DO NOTHING`, [userId, itemId]);
  const [current] = await manager.query(`SELECT * FROM user_item_data WHERE "userId" = $1 AND "itemId" = $2 FOR UPDATE`, [userId, itemId]);
  const [same] = await manager.query<{ id: string; playedAt: Date; playedMs: string }[]>(
    `SELECT id, "playedAt", "playedMs" FROM play_history
     WHERE "userId" = $1 AND "itemId" = $2 AND "playedAt" BETWEEN $3::timestamptz - $4 * interval '1 millisecond' AND $3::timestamptz + $4 * interval '1 millisecond'
     ORDER BY abs(extract(epoch FROM "playedAt" - $3::timestamptz)) LIMIT 1`,
    [userId, itemId, playedAt, SAME_PLAY_WINDOW_MS],
  );
  if (same) {
    return {
      entry: { id: same.id, playedAt: same.playedAt, playedMs: Number(same.playedMs) },
      duplicate: true,
      userData: userDataView(current),
    };
  }
  const [entry] = await manager.query<{ id: string; playedAt: Date; playedMs: string }[]>(
    `INSERT INTO play_history ("userId", "itemId", "playedAt", "playedMs") VALUES ($1, $2, $3, $4) RETURNING id, "playedAt", "playedMs"`,
    [userId, itemId, playedAt, Math.round(playedMs)],
  );
  const { rows: updated } = await runWrite<UserItemData>(
    manager,

    `UPDATE user_item_data SET played = true, "playCount" = "playCount" + 1,
       "positionMs" = CASE WHEN "lastPlayedAt" IS NULL OR $3::timestamptz >= "lastPlayedAt" THEN 0 ELSE "positionMs" END,
       "lastPlayedAt" = GREATEST(coalesce("lastPlayedAt", $3::timestamptz), $3::timestamptz), "updatedAt" = now()
     WHERE "userId" = $1 AND "itemId" = $2 RETURNING *`,
    [userId, itemId, playedAt],
  );
  return {
    entry: { id: entry.id, playedAt: entry.playedAt, playedMs: Number(entry.playedMs) },
    duplicate: false,
    userData: userDataView(updated[0]),
  };
}

export const historyEntryView = (entry: RecordedPlay['entry'], item: HistoryEntryView['item']): HistoryEntryView => ({
  id: entry.id,
  playedAt: new Date(entry.playedAt).toISOString(),
  playedMs: entry.playedMs,
  item,
});
