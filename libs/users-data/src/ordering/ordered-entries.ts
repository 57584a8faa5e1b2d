import { BadRequestException, NotFoundException } from '@nestjs/common';
import type { MoveEntryRequest } from '@marquee/contracts';
import type { EntityManager } from 'typeorm';
import { runWrite } from '../sql.js';
import { evenRanks, needsRebalance, rankBetween, ranksBetween } from './rank-keys.js';

/** Where new entries go: before the entry now at `index` (past the end: the end), or right after an entry (null: the top). */
export type InsertPoint = { index: number } | { afterEntryId: string | null } | 'end';

/** Where a moved entry goes: to `index` once moved, or right after another entry (null: the top). */
export type MoveTarget = { index: number } | { afterEntryId: string | null };

/** The target of a move request: an index when given, else after the named entry (null or absent: the top). */
export const moveTarget = (request: MoveEntryRequest): MoveTarget =>
  request.index !== undefined ? { index: request.index } : { afterEntryId: request.afterEntryId ?? null };

export interface EntryRow {
  id: string;
  itemId: string;
  position: string;
}

/**
 * The ordered entries of one list (a playlist's entries, a user's queue) kept in order by fractional
 * keys: inserting or moving writes only the rows concerned; a renumbering of the whole list (one
 * UPDATE) happens only when a key grew past MAX_RANK_LENGTH.
 *
 * Every method runs inside the caller's transaction, which must already hold the lock of the list's
 * owner row (the playlist, the queue): that is what keeps two devices editing at once from reading
 * the same neighbours and writing the same key.
 */
export class OrderedEntries {
  /** `table` and `owner` are constants of this lib, never a caller's text. */
  constructor(
    private readonly table: 'playlist_entries' | 'play_queue_entries',
    private readonly owner: 'playlistId' | 'userId',
  ) {}

  async count(manager: EntityManager, ownerId: string): Promise<number> {
    const [row] = await manager.query<{ count: number }[]>(`SELECT count(*)::int AS count FROM ${this.table} WHERE "${this.owner}" = $1`, [
      ownerId,
    ]);
    return row.count;
  }

  async find(manager: EntityManager, ownerId: string, entryId: string): Promise<EntryRow | undefined> {
    const [row] = await manager.query<EntryRow[]>(
      `SELECT id, "itemId", position FROM ${this.table} WHERE "${this.owner}" = $1 AND id = $2`,
      [ownerId, entryId],
    );
    return row;
  }

  /** Entries in list order, a page at a time. */
  async page<T extends EntryRow = EntryRow>(
    manager: EntityManager,
    ownerId: string,
    limit: number,
    offset: number,
    extraColumns = '',
  ): Promise<T[]> {
    return manager.query<T[]>(
      `SELECT id, "itemId", position${extraColumns ? `, ${extraColumns}` : ''} FROM ${this.table}
       WHERE "${this.owner}" = $1 ORDER BY position LIMIT $2 OFFSET $3`,
      [ownerId, limit, offset],
    );
  }

  /**
   * These entries with their indexes, in list order: the entries before the first of them are counted
   * (an index scan), and only the span from the first to the last of them is numbered.
   */
  async indexed<T extends EntryRow = EntryRow>(
    manager: EntityManager,
    ownerId: string,
    entryIds: readonly string[],
    extraColumns = '',
  ): Promise<(T & { index: number })[]> {
    if (entryIds.length === 0) return [];
    return manager.query<(T & { index: number })[]>(
      `WITH bounds AS (
         SELECT min(position) AS low, max(position) AS high FROM ${this.table} WHERE "${this.owner}" = $1 AND id = ANY($2::uuid[])
       ),
       span AS (
         SELECT t.id, t."itemId", t.position${extraColumns ? `, ${extraColumns}` : ''}, (row_number() OVER (ORDER BY t.position) - 1)::int AS k
         FROM ${this.table} t, bounds WHERE t."${this.owner}" = $1 AND t.position BETWEEN bounds.low AND bounds.high
       )
       SELECT span.*, span.k + (SELECT count(*)::int FROM ${this.table} t, bounds WHERE t."${this.owner}" = $1 AND t.position < bounds.low) AS index
       FROM span WHERE span.id = ANY($2::uuid[]) ORDER BY span.position`,
      [ownerId, entryIds],
    );
  }

  /** The index of an entry (how many come before it). */
  async indexOf(manager: EntityManager, ownerId: string, position: string): Promise<number> {
    const [row] = await manager.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM ${this.table} WHERE "${this.owner}" = $1 AND position < $2`,
      [ownerId, position],
    );
    return row.count;
  }

  /** The entry at an index, if there is one. */
  async at(manager: EntityManager, ownerId: string, index: number): Promise<EntryRow | undefined> {
    const [row] = await this.page(manager, ownerId, 1, index);
    return row;
  }

  /** Adds entries for `itemIds`, in that order, at `point`; returns their ids in the same order. */
  async insert(manager: EntityManager, ownerId: string, itemIds: readonly string[], point: InsertPoint): Promise<string[]> {
    if (itemIds.length === 0) return [];
    let [before, after] = await this.gap(manager, ownerId, point);
    let keys = ranksBetween(before, after, itemIds.length);
    if (needsRebalance(keys)) {
      await this.rebalance(manager, ownerId);
      [before, after] = await this.gap(manager, ownerId, point);
      keys = ranksBetween(before, after, itemIds.length);
    }
    const rows = await manager.query<{ id: string; position: string }[]>(
      `INSERT INTO ${this.table} ("${this.owner}", "itemId", position)
       SELECT $1, u."itemId", u.position FROM unnest($2::uuid[], $3::text[]) AS u("itemId", position)
       RETURNING id, position`,
      [ownerId, itemIds, keys],
    );
    const ids = new Map(rows.map((row) => [row.position, row.id]));
    return keys.map((key) => ids.get(key)!);
  }

  /** Moves one entry; writes that one row (or none when it is already there). Returns whether it moved. */
  async move(manager: EntityManager, ownerId: string, entryId: string, target: MoveTarget): Promise<boolean> {
    const entry = await this.find(manager, ownerId, entryId);
    if (!entry) throw new NotFoundException(`Entry ${entryId} not found`);
    for (let attempt = 0; ; attempt++) {
      const [before, after] = await this.neighbours(manager, ownerId, entry, target);
      if ((before === null || before < entry.position) && (after === null || entry.position < after)) return false;
      const key = rankBetween(before, after);
      if (needsRebalance([key]) && attempt === 0) {
        await this.rebalance(manager, ownerId);
        entry.position = (await this.find(manager, ownerId, entryId))!.position;
        continue;
      }
      await manager.query(`UPDATE ${this.table} SET position = $2 WHERE id = $1`, [entryId, key]);
      return true;
    }
  }

  async remove(manager: EntityManager, ownerId: string, entryIds: readonly string[]): Promise<number> {
    const { count } = await runWrite(manager, `DELETE FROM ${this.table} WHERE "${this.owner}" = $1 AND id = ANY($2::uuid[])`, [
      ownerId,
      entryIds,
    ]);
    return count;
  }

  /** Every entry of these items. */
  async removeItem(manager: EntityManager, ownerId: string, itemId: string): Promise<number> {
    const { count } = await runWrite(manager, `DELETE FROM ${this.table} WHERE "${this.owner}" = $1 AND "itemId" = $2`, [ownerId, itemId]);
    return count;
  }

  /** Replaces the whole list. */
  async replace(manager: EntityManager, ownerId: string, itemIds: readonly string[]): Promise<string[]> {
    await manager.query(`DELETE FROM ${this.table} WHERE "${this.owner}" = $1`, [ownerId]);
    return this.insert(manager, ownerId, itemIds, { index: 0 });
  }

  /** Fresh, short, evenly spaced keys for the whole list, in one statement (the unique check runs at its end). */
  async rebalance(manager: EntityManager, ownerId: string): Promise<number> {
    const rows = await manager.query<{ id: string }[]>(`SELECT id FROM ${this.table} WHERE "${this.owner}" = $1 ORDER BY position`, [
      ownerId,
    ]);
    if (rows.length === 0) return 0;
    await manager.query(
      `UPDATE ${this.table} t SET position = u.position FROM unnest($2::uuid[], $3::text[]) AS u(id, position)
       WHERE t.id = u.id AND t."${this.owner}" = $1`,
      [ownerId, rows.map((row) => row.id), evenRanks(rows.length)],
    );
    return rows.length;
  }

  /** The keys on either side of an insertion point (null: no entry on that side). */
  private async gap(manager: EntityManager, ownerId: string, point: InsertPoint): Promise<[string | null, string | null]> {
    if (point === 'end') return [await this.lastKey(manager, ownerId), null];
    if ('index' in point) return this.gapAtIndex(manager, ownerId, point.index);
    if (point.afterEntryId === null) return [null, await this.keyAfter(manager, ownerId, null)];
    const anchor = await this.find(manager, ownerId, point.afterEntryId);
    if (!anchor) throw new NotFoundException(`Entry ${point.afterEntryId} not found`);
    return [anchor.position, await this.keyAfter(manager, ownerId, anchor.position)];
  }

  private async neighbours(
    manager: EntityManager,
    ownerId: string,
    entry: EntryRow,
    target: MoveTarget,
  ): Promise<[string | null, string | null]> {
    if ('index' in target) return this.gapAtIndex(manager, ownerId, target.index, entry.id);
    if (target.afterEntryId === entry.id) throw new BadRequestException('An entry cannot be moved after itself');
    if (target.afterEntryId === null) return [null, await this.keyAfter(manager, ownerId, null, entry.id)];
    const anchor = await this.find(manager, ownerId, target.afterEntryId);
    if (!anchor) throw new NotFoundException(`Entry ${target.afterEntryId} not found`);
    return [anchor.position, await this.keyAfter(manager, ownerId, anchor.position, entry.id)];
  }

  /** The keys around index `index` of the list without `excludeId`. */
  private async gapAtIndex(
    manager: EntityManager,
    ownerId: string,
    index: number,
    excludeId?: string,
  ): Promise<[string | null, string | null]> {
    const rows = await manager.query<{ position: string }[]>(
      `SELECT position FROM ${this.table} WHERE "${this.owner}" = $1 AND ($2::uuid IS NULL OR id <> $2)
       ORDER BY position OFFSET $3 LIMIT $4`,
      [ownerId, excludeId ?? null, Math.max(index - 1, 0), index === 0 ? 1 : 2],
    );
    if (index === 0) return [null, rows[0]?.position ?? null];
    if (rows.length === 0) return [await this.lastKey(manager, ownerId, excludeId), null];
    return [rows[0].position, rows[1]?.position ?? null];
  }

  private async keyAfter(manager: EntityManager, ownerId: string, position: string | null, excludeId?: string): Promise<string | null> {
    const [row] = await manager.query<{ position: string }[]>(
      `SELECT position FROM ${this.table} WHERE "${this.owner}" = $1 AND ($2::text IS NULL OR position > $2) AND ($3::uuid IS NULL OR id <> $3)
       ORDER BY position LIMIT 1`,
      [ownerId, position, excludeId ?? null],
    );
    return row?.position ?? null;
  }

  private async lastKey(manager: EntityManager, ownerId: string, excludeId?: string): Promise<string | null> {
    const [row] = await manager.query<{ position: string }[]>(
      `SELECT position FROM ${this.table} WHERE "${this.owner}" = $1 AND ($2::uuid IS NULL OR id <> $2) ORDER BY position DESC LIMIT 1`,
      [ownerId, excludeId ?? null],
    );
    return row?.position ?? null;
  }
}
