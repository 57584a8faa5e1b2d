import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type AddItemsRequest,
  type AddPlaylistEntriesResponse,
  type CreatePlaylistRequest,
  ENTRIES_PAGE_DEFAULT,
  MAX_PLAYLIST_ENTRIES,
  type MoveEntryRequest,
  type MovePlaylistEntryResponse,
  type PageOf,
  type PlaylistCover,
  type PlaylistDetail,
  type PlaylistEntryView,
  type PlaylistView,
  type UpdatePlaylistRequest,
} from '@marquee/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { ItemSummaries } from '../items/item-summaries.service.js';
import { PlayableItems } from '../items/playable-items.service.js';
import { type InsertPoint, moveTarget, OrderedEntries } from '../ordering/ordered-entries.js';
import { runWrite } from '../sql.js';
import { PlaylistCovers } from './playlist-covers.service.js';

interface PlaylistRow {
  id: string;
  name: string;
  description: string | null;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
  itemCount: number;
  durationMs: number;
}

interface EntryRow {
  id: string;
  itemId: string;
  position: string;
  addedAt: Date;
}

const PLAYLIST_COLUMNS = `p.id, p.name, p.description, p.revision, p."createdAt", p."updatedAt",
  coalesce(s.count, 0) AS "itemCount", coalesce(s.duration, 0) AS "durationMs"`;
const PLAYLIST_STATS = `LEFT JOIN LATERAL (
    SELECT count(*)::int AS count, sum(i."durationMs")::float8 AS duration
    FROM playlist_entries e JOIN media_items i ON i.id = e."itemId" WHERE e."playlistId" = p.id
  ) s ON true`;

/**
 * A user's playlists. Every change takes the playlist's row lock (SELECT … FOR UPDATE) first, so two
 * devices adding or moving at once queue up: neither loses an entry, no two entries share a position.
 * Another user's playlist does not exist as far as a caller can tell (404).
 */
@Injectable()
export class PlaylistsService {
  private readonly entries = new OrderedEntries('playlist_entries', 'playlistId');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly items: PlayableItems,
    private readonly summaries: ItemSummaries,
    private readonly covers: PlaylistCovers,
  ) {}

  async list(userId: string, limit: number, offset: number): Promise<PageOf<PlaylistView>> {
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query<PlaylistRow[]>(
        `SELECT ${PLAYLIST_COLUMNS} FROM playlists p ${PLAYLIST_STATS} WHERE p."userId" = $1 ORDER BY lower(p.name), p.id LIMIT $2 OFFSET $3`,
        [userId, limit, offset],
      ),
      this.dataSource.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM playlists WHERE "userId" = $1`, [userId]),
    ]);
    const covers = await this.covers.covers(
      rows.map((row) => row.id),
      userId,
    );
    return { items: rows.map((row) => toPlaylistView(row, covers.get(row.id)!)), total, limit, offset };
  }

  async create(userId: string, request: CreatePlaylistRequest): Promise<PlaylistDetail> {
    const id = await this.dataSource.transaction(async (manager) => {
      const itemIds = request.itemIds?.length ? await this.items.expand(request.itemIds, manager) : [];
      checkRoom(0, itemIds.length);
      const [row] = await manager.query<{ id: string }[]>(
        `INSERT INTO playlists ("userId", name, description) VALUES ($1, $2, $3) RETURNING id`,
        [userId, request.name, request.description ?? null],
      );
      await this.entries.insert(manager, row.id, itemIds, 'end');
      return row.id;
    });
    return this.detail(userId, id, ENTRIES_PAGE_DEFAULT, 0);
  }

  async detail(userId: string, playlistId: string, limit: number, offset: number): Promise<PlaylistDetail> {
    const playlist = await this.view(userId, playlistId);
    const rows = await this.entries.page<EntryRow>(this.dataSource.manager, playlistId, limit, offset, `"addedAt"`);
    return { ...playlist, entries: { items: await this.entryViews(userId, rows, offset), total: playlist.itemCount, limit, offset } };
  }

  async update(userId: string, playlistId: string, request: UpdatePlaylistRequest): Promise<PlaylistView> {
    await this.dataSource.transaction(async (manager) => {
      await this.lock(manager, userId, playlistId);
      await runWrite(
        manager,
        `UPDATE playlists SET name = coalesce($2, name), description = CASE WHEN $3 THEN $4 ELSE description END,
           revision = revision + 1, "updatedAt" = now() WHERE id = $1`,
        [playlistId, request.name ?? null, request.description !== undefined, request.description ?? null],
      );
    });
    return this.view(userId, playlistId);
  }

  async remove(userId: string, playlistId: string): Promise<void> {
    const { count } = await runWrite(this.dataSource.manager, `DELETE FROM playlists WHERE id = $1 AND "userId" = $2`, [
      playlistId,
      userId,
    ]);
    if (count === 0) throw notFound(playlistId);
    await this.covers.forget(playlistId);
  }

  /** Adds items (containers: what they hold, in order) at an index, or at the end. */
  async add(userId: string, playlistId: string, request: AddItemsRequest): Promise<AddPlaylistEntriesResponse> {
    const added = await this.dataSource.transaction(async (manager) => {
      await this.lock(manager, userId, playlistId);
      const itemIds = await this.items.expand(request.itemIds, manager);
      checkRoom(await this.entries.count(manager, playlistId), itemIds.length);
      const point: InsertPoint = request.index === undefined ? 'end' : { index: request.index };
      const ids = await this.entries.insert(manager, playlistId, itemIds, point);
      await this.touch(manager, playlistId);
      return ids;
    });
    const rows = await this.entries.indexed<EntryRow>(this.dataSource.manager, playlistId, added, `"addedAt"`);
    return { playlist: await this.view(userId, playlistId), entries: await this.entryViews(userId, rows, 0) };
  }

  /**
   * Removes an entry by its id, or (the route of the design, which names items) every entry of an
   * item. 404 when the playlist has neither.
   */
  async removeEntry(userId: string, playlistId: string, entryOrItemId: string): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      await this.lock(manager, userId, playlistId);
      const removed =
        (await this.entries.remove(manager, playlistId, [entryOrItemId])) ||
        (await this.entries.removeItem(manager, playlistId, entryOrItemId));
      if (removed === 0) throw new NotFoundException(`Playlist ${playlistId} has no entry or item ${entryOrItemId}`);
      await this.touch(manager, playlistId);
      return removed;
    });
  }

  /** Moves one entry; only that entry's row changes (and the playlist's revision). */
  async move(userId: string, playlistId: string, request: MoveEntryRequest): Promise<MovePlaylistEntryResponse> {
    const moved = await this.dataSource.transaction(async (manager) => {
      await this.lock(manager, userId, playlistId);
      const changed = await this.entries.move(manager, playlistId, request.entryId, moveTarget(request));
      if (changed) await this.touch(manager, playlistId);
      return changed;
    });
    const rows = await this.entries.indexed<EntryRow>(this.dataSource.manager, playlistId, [request.entryId], `"addedAt"`);
    const [entry] = await this.entryViews(userId, rows, 0);
    return { playlist: await this.view(userId, playlistId), entry, moved };
  }

  /** 404 unless the playlist is the user's. */
  async requireOwn(userId: string, playlistId: string): Promise<void> {
    const [row] = await this.dataSource.query(`SELECT 1 FROM playlists WHERE id = $1 AND "userId" = $2`, [playlistId, userId]);
    if (!row) throw notFound(playlistId);
  }

  private async view(userId: string, playlistId: string): Promise<PlaylistView> {
    const [row] = await this.dataSource.query<PlaylistRow[]>(
      `SELECT ${PLAYLIST_COLUMNS} FROM playlists p ${PLAYLIST_STATS} WHERE p.id = $1 AND p."userId" = $2`,
      [playlistId, userId],
    );
    if (!row) throw notFound(playlistId);
    const covers = await this.covers.covers([playlistId], userId);
    return toPlaylistView(row, covers.get(playlistId)!);
  }

  private async entryViews(userId: string, rows: EntryRow[], firstIndex: number): Promise<PlaylistEntryView[]> {
    const summaries = await this.summaries.load(
      rows.map((row) => row.itemId),
      userId,
    );
    return rows.flatMap((row, i) => {
      const item = summaries.get(row.itemId);
      const index = (row as Partial<{ index: number }>).index ?? firstIndex + i;
      return item ? [{ id: row.id, index, addedAt: new Date(row.addedAt).toISOString(), item }] : [];
    });
  }

  /** The playlist's row lock: every change of the playlist or its entries holds it. */
  private async lock(manager: EntityManager, userId: string, playlistId: string): Promise<void> {
    const [row] = await manager.query(`SELECT id FROM playlists WHERE id = $1 AND "userId" = $2 FOR UPDATE`, [playlistId, userId]);
    if (!row) throw notFound(playlistId);
  }

  private async touch(manager: EntityManager, playlistId: string): Promise<void> {
    await runWrite(manager, `UPDATE playlists SET revision = revision + 1, "updatedAt" = now() WHERE id = $1`, [playlistId]);
  }
}

const notFound = (playlistId: string) => new NotFoundException(`Playlist ${playlistId} not found`);

function checkRoom(current: number, adding: number): void {
  if (current + adding > MAX_PLAYLIST_ENTRIES) {
    throw new ConflictException(`A playlist holds at most ${MAX_PLAYLIST_ENTRIES} entries; it has ${current} and ${adding} would be added`);
  }
}

function toPlaylistView(row: PlaylistRow, cover: PlaylistCover): PlaylistView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    itemCount: Number(row.itemCount),
    durationMs: Math.round(Number(row.durationMs)),
    revision: row.revision,
    cover,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}
