import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ENTRIES_PAGE_DEFAULT,
  MAX_QUEUE_ENTRIES,
  type MoveEntryRequest,
  type PlayQueueView,
  type QueueEntryView,
  type ReplaceQueueRequest,
  type UpdateQueueRequest,
} from '@marquee/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { ItemSummaries } from '../items/item-summaries.service.js';
import { PlayableItems } from '../items/playable-items.service.js';
import { type EntryRow, type InsertPoint, moveTarget, OrderedEntries } from '../ordering/ordered-entries.js';
import { runWrite } from '../sql.js';

interface QueueRow {
  userId: string;
  currentEntryId: string | null;
  positionMs: string | number;
  revision: number;
  updatedAt: Date;
}

export interface QueuePage {
  limit: number;
  offset: number;
}

const FIRST_PAGE: QueuePage = { limit: ENTRIES_PAGE_DEFAULT, offset: 0 };

/**
 * Each user's one play queue, kept in the database so it outlives a restart and follows the user to
 * any device they sign in on. Every change takes the queue's row lock first, so two devices changing
 * it at once queue up: no entry is lost, no position is shared.
 */
@Injectable()
export class PlayQueueService {
  private readonly entries = new OrderedEntries('play_queue_entries', 'userId');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly items: PlayableItems,
    private readonly summaries: ItemSummaries,
  ) {}

  async get(userId: string, page: QueuePage = FIRST_PAGE): Promise<PlayQueueView> {
    return this.view(userId, page);
  }

  /** Replaces the queue (containers: what they hold, in order); `currentIndex` counts in that expanded list. */
  async replace(userId: string, request: ReplaceQueueRequest): Promise<PlayQueueView> {
    await this.dataSource.transaction(async (manager) => {
      const queue = await this.lock(manager, userId);
      if (request.revision !== undefined && request.revision !== queue.revision) {
        throw new ConflictException(`The queue changed since revision ${request.revision}: it is at revision ${queue.revision}`);
      }
      const itemIds = request.itemIds.length ? await this.items.expand(request.itemIds, manager) : [];
      checkRoom(0, itemIds.length);
      const currentIndex = request.currentIndex ?? 0;
      if (itemIds.length > 0 && currentIndex >= itemIds.length) {
        throw new BadRequestException(`currentIndex ${currentIndex} is past the end of a queue of ${itemIds.length} entries`);
      }
      const entryIds = await this.entries.replace(manager, userId, itemIds);
      await this.save(manager, userId, entryIds[currentIndex] ?? null, entryIds.length ? (request.positionMs ?? 0) : 0);
    });
    return this.view(userId, FIRST_PAGE);
  }

  /** Plays these next (right after the current entry) or last; into an empty queue they become the queue. */
  async add(userId: string, itemIds: string[], where: 'next' | 'last'): Promise<PlayQueueView> {
    const added = await this.dataSource.transaction(async (manager) => {
      const queue = await this.lock(manager, userId);
      const expanded = await this.items.expand(itemIds, manager);
      const count = await this.entries.count(manager, userId);
      checkRoom(count, expanded.length);
      const current = queue.currentEntryId ? await this.entries.find(manager, userId, queue.currentEntryId) : undefined;
      const point: InsertPoint = where === 'last' ? 'end' : current ? { afterEntryId: current.id } : { index: 0 };
      const ids = await this.entries.insert(manager, userId, expanded, point);
      if (current) await this.save(manager, userId, current.id, Number(queue.positionMs));
      else await this.save(manager, userId, (await this.entries.at(manager, userId, 0))?.id ?? null, 0);
      return ids;
    });
    const view = await this.view(userId, FIRST_PAGE);
    return { ...view, added: await this.entryViews(userId, await this.entries.indexed(this.dataSource.manager, userId, added), 0) };
  }

  /** Where playback is: the current entry (by index or id) and the position in it. */
  async update(userId: string, request: UpdateQueueRequest): Promise<PlayQueueView> {
    await this.dataSource.transaction(async (manager) => {
      const queue = await this.lock(manager, userId);
      let currentId = queue.currentEntryId;
      let positionMs = Number(queue.positionMs);
      if (request.currentEntryId !== undefined) {
        const entry = await this.entries.find(manager, userId, request.currentEntryId);
        if (!entry) throw new NotFoundException(`Entry ${request.currentEntryId} is not in the queue`);
        if (entry.id !== currentId) positionMs = 0;
        currentId = entry.id;
      } else if (request.currentIndex !== undefined) {
        const entry = await this.entries.at(manager, userId, request.currentIndex);
        if (!entry) throw new BadRequestException(`currentIndex ${request.currentIndex} is past the end of the queue`);
        if (entry.id !== currentId) positionMs = 0;
        currentId = entry.id;
      }
      if (request.positionMs !== undefined) {
        if (currentId === null) throw new BadRequestException('The queue is empty: there is no current entry to set a position in');
        positionMs = request.positionMs;
      }
      await this.save(manager, userId, currentId, positionMs);
    });
    return this.view(userId, FIRST_PAGE);
  }

  async clear(userId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.lock(manager, userId);
      await this.entries.replace(manager, userId, []);
      await this.save(manager, userId, null, 0);
    });
  }

  /** Removes one entry; when it was playing, the next one (else the one before) becomes current, from its start. */
  async removeEntry(userId: string, entryId: string): Promise<PlayQueueView> {
    await this.dataSource.transaction(async (manager) => {
      const queue = await this.lock(manager, userId);
      const entry = await this.entries.find(manager, userId, entryId);
      if (!entry) throw new NotFoundException(`Entry ${entryId} is not in the queue`);
      let currentId = queue.currentEntryId;
      let positionMs = Number(queue.positionMs);
      if (currentId === entry.id) {
        const index = await this.entries.indexOf(manager, userId, entry.position);
        const next =
          (await this.entries.at(manager, userId, index + 1)) ??
          (index > 0 ? await this.entries.at(manager, userId, index - 1) : undefined);
        currentId = next?.id ?? null;
        positionMs = 0;
      }
      await this.entries.remove(manager, userId, [entry.id]);
      await this.save(manager, userId, currentId, positionMs);
    });
    return this.view(userId, FIRST_PAGE);
  }

  async move(userId: string, request: MoveEntryRequest): Promise<PlayQueueView> {
    await this.dataSource.transaction(async (manager) => {
      const queue = await this.lock(manager, userId);
      if (await this.entries.move(manager, userId, request.entryId, moveTarget(request))) {
        await this.save(manager, userId, queue.currentEntryId, Number(queue.positionMs));
      }
    });
    return this.view(userId, FIRST_PAGE);
  }

  /** The queue's row lock (the row is made on first use): every change of the queue holds it. */
  private async lock(manager: EntityManager, userId: string): Promise<QueueRow> {
    await manager.query(`INSERT INTO play_queues ("userId") VALUES ($1) ON CONFLICT DO NOTHING`, [userId]);
    const [queue] = await manager.query<QueueRow[]>(`SELECT * FROM play_queues WHERE "userId" = $1 FOR UPDATE`, [userId]);
    return queue;
  }

  /** Records where playback is and bumps the revision. */
  private async save(manager: EntityManager, userId: string, currentEntryId: string | null, positionMs: number): Promise<void> {
    await runWrite(
      manager,
      `UPDATE play_queues SET "currentEntryId" = $2, "positionMs" = $3, revision = revision + 1, "updatedAt" = now() WHERE "userId" = $1`,
      [userId, currentEntryId, currentEntryId ? Math.round(positionMs) : 0],
    );
  }

  private async view(userId: string, page: QueuePage): Promise<PlayQueueView> {
    const manager = this.dataSource.manager;
    const [queue] = await manager.query<QueueRow[]>(`SELECT * FROM play_queues WHERE "userId" = $1`, [userId]);
    const [rows, total, current] = await Promise.all([
      this.entries.page(manager, userId, page.limit, page.offset),
      this.entries.count(manager, userId),
      queue?.currentEntryId ? this.entries.find(manager, userId, queue.currentEntryId) : undefined,
    ]);
    // The current entry can only vanish with its item (deleted from the catalogue): the queue then starts over.
    const currentIndex = current ? await this.entries.indexOf(manager, userId, current.position) : total > 0 ? 0 : null;
    const currentEntryId = current ? current.id : total > 0 ? ((await this.entries.at(manager, userId, 0))?.id ?? null) : null;
    return {
      entries: { items: await this.entryViews(userId, rows, page.offset), total, limit: page.limit, offset: page.offset },
      currentIndex,
      currentEntryId,
      positionMs: current ? Number(queue.positionMs) : 0,
      revision: queue?.revision ?? 0,
      updatedAt: queue ? new Date(queue.updatedAt).toISOString() : null,
    };
  }

  private async entryViews(userId: string, rows: EntryRow[], firstIndex: number): Promise<QueueEntryView[]> {
    const summaries = await this.summaries.load(
      rows.map((row) => row.itemId),
      userId,
    );
    return rows.flatMap((row, i) => {
      const item = summaries.get(row.itemId);
      return item ? [{ id: row.id, index: (row as Partial<{ index: number }>).index ?? firstIndex + i, item }] : [];
    });
  }
}

function checkRoom(current: number, adding: number): void {
  if (current + adding > MAX_QUEUE_ENTRIES) {
    throw new ConflictException(`A play queue holds at most ${MAX_QUEUE_ENTRIES} entries; it has ${current} and ${adding} would be added`);
  }
}
