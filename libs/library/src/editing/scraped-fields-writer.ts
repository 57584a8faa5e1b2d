import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { EditableItemField } from '@marquee/contracts';
import { DataSource } from 'typeorm';
import type { FieldChange } from '../entities/item-edit.entity.js';
import { MediaItem } from '../entities/media-item.entity.js';
import { isLocked, mergeUnlocked, sameValue } from './field-locks.js';
import type { ItemEditor } from './item-editor.service.js';

export type ScrapedFieldValues = Partial<Pick<MediaItem, EditableItemField>>;

export interface ScrapedFieldsOutcome {
  /** Each written field, before and after; empty when nothing changed (and then no history row is written). */
  changes: Record<string, FieldChange>;
  /** Fields the scrape had a different value for but that are locked on the item. */
  keptLocked: string[];
}

/**
 * Writes what a scraper found, as an admin accepted it: only fields that are not locked and whose
 * value differs; provider ids are merged (a scraper adds ids, never drops the item's others).
 * Unlike an admin edit nothing gets locked. One history row (source `scrape`) records the change,
 * all in one transaction holding the item's row lock, like ItemEditorService.
 */
@Injectable()
export class ScrapedFieldsWriter {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** `alsoRecord`: other changes of the same import (artwork) to put in the same history row. */
  async apply(
    itemId: string,
    values: ScrapedFieldValues,
    editor: ItemEditor,
    alsoRecord: Record<string, FieldChange> = {},
  ): Promise<ScrapedFieldsOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const items = manager.getRepository(MediaItem);
      const item = await items.findOne({ where: { id: itemId }, lock: { mode: 'pessimistic_write' } });
      if (!item) throw new NotFoundException(`Item ${itemId} not found`);

      const incoming: ScrapedFieldValues = { ...values };
      if (incoming.providerIds) incoming.providerIds = { ...item.providerIds, ...incoming.providerIds };
      const keptLocked = (Object.keys(incoming) as EditableItemField[]).filter(
        (field) => incoming[field] !== undefined && isLocked(item.lockedFields, field) && !sameValue(item[field], incoming[field]),
      );
      const update = mergeUnlocked(item, incoming, item.lockedFields) as ScrapedFieldValues;
      const changes: Record<string, FieldChange> = {};
      for (const field of Object.keys(update) as EditableItemField[]) changes[field] = { before: item[field], after: update[field] };
      if (Object.keys(changes).length) await items.update({ id: itemId }, update);
      Object.assign(changes, alsoRecord);
      if (Object.keys(changes).length === 0) return { changes, keptLocked };

      await manager.query(`INSERT INTO item_edits ("itemId", "userId", username, source, changes) VALUES ($1, $2, $3, 'scrape', $4)`, [
        itemId,
        editor.userId,
        editor.username,
        JSON.stringify(changes),
      ]);
      return { changes, keptLocked };
    });
  }
}
