import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EDITABLE_ITEM_FIELDS, type EditableItemField, type ItemDetail, type UpdateItemRequest } from '@marquee/contracts';
import { DataSource } from 'typeorm';
import { ArtworkCandidates } from '../artwork/artwork-candidates.js';
import { ArtworkService } from '../artwork/artwork.service.js';
import type { ArtworkKind } from '../entities/item-artwork.entity.js';
import type { FieldChange } from '../entities/item-edit.entity.js';
import { MediaItem } from '../entities/media-item.entity.js';
import { toPersonView } from '../items/item-views.js';
import { ItemsQueryService } from '../items/items-query.service.js';
import { changedFields, sameValue, updateLocks } from './field-locks.js';

/** Who made an edit, for the item's history. */
export interface ItemEditor {
  userId: string;
  username: string;
}

/** The editable fields a request sets, as plain values ready to store and compare. */
export function editableValues(request: UpdateItemRequest): Partial<Pick<MediaItem, EditableItemField>> {
  const values: Record<string, unknown> = {};
  for (const field of EDITABLE_ITEM_FIELDS) {
    const value = request[field];
    if (value === undefined) continue;
    if (field === 'people') values.people = (value as UpdateItemRequest['people'])!.map(toPersonView);
    else if (field === 'providerIds') values.providerIds = { ...(value as Record<string, string>) };
    else if (Array.isArray(value)) values[field] = [...value];
    else values[field] = value;
  }
  return values as Partial<Pick<MediaItem, EditableItemField>>;
}

/**
 * An admin's metadata edit: the changed fields are written and locked against rescans and
 * scrapers, `unlock` lifts locks, and one history row records every change (before and after).
 * All of it happens in one transaction holding the item's row lock (SELECT … FOR UPDATE), so
 * concurrent edits queue up and none is lost.
 */
@Injectable()
export class ItemEditorService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly items: ItemsQueryService,
    private readonly artwork: ArtworkService,
    private readonly candidates: ArtworkCandidates,
  ) {}

  /** Applies the edit and returns the item as the editor now sees it. */
  async update(id: string, request: UpdateItemRequest, editor: ItemEditor): Promise<ItemDetail> {
    // Chosen pictures are read first: an unknown candidate refuses the whole edit before anything changed.
    const pictures = await this.chosenArtwork(id, request.artwork ?? {});
    await this.apply(id, request, editor);
    for (const [kind, picture] of pictures) {
      if (picture) await this.artwork.upload(id, kind, picture, editor);
      else await this.removeArtwork(id, kind, editor);
    }
    return this.items.detail(id, editor.userId);
  }

  private async chosenArtwork(id: string, choices: NonNullable<UpdateItemRequest['artwork']>): Promise<[ArtworkKind, Buffer | null][]> {
    const pictures: [ArtworkKind, Buffer | null][] = [];
    for (const [kind, choice] of Object.entries(choices) as [ArtworkKind, { candidate: string } | null][]) {
      if (!choice) {
        pictures.push([kind, null]);
        continue;
      }
      const picture = await this.candidates.readListed(id, choice.candidate);
      if (!picture)
        throw new BadRequestException(
          `artwork.${kind}: item ${id} has no artwork candidate "${choice.candidate}"; GET items/${id}/artwork-candidates lists them`,
        );
      pictures.push([kind, picture]);
    }
    return pictures;
  }

  /** `null` for a kind the item has no picture of is already true: nothing to do. */
  private async removeArtwork(id: string, kind: ArtworkKind, editor: ItemEditor): Promise<void> {
    try {
      await this.artwork.remove(id, kind, editor);
    } catch (error) {
      if (!(error instanceof NotFoundException)) throw error;
    }
  }

  /** Applies the edit; returns what changed (empty when nothing did, and then no history row is written). */
  async apply(id: string, request: UpdateItemRequest, editor: ItemEditor): Promise<Record<string, FieldChange>> {
    const incoming = editableValues(request);
    const unlock = request.unlock ?? [];
    return this.dataSource.transaction(async (manager) => {
      const items = manager.getRepository(MediaItem);
      const item = await items.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!item) throw new NotFoundException(`Item ${id} not found`);

      const changes: Record<string, FieldChange> = {};
      const update: Partial<MediaItem> = {};
      const fields = changedFields(item, incoming);
      for (const field of fields) {
        changes[field] = { before: item[field], after: incoming[field] };
        (update as Record<string, unknown>)[field] = incoming[field];
      }
      const locks = updateLocks(item.lockedFields, fields, unlock);
      if (!sameValue(locks, item.lockedFields)) {
        changes.lockedFields = { before: item.lockedFields, after: locks };
        update.lockedFields = locks;
      }
      if (Object.keys(changes).length === 0) return changes;

      await items.update({ id }, update);
      await manager.query(`INSERT INTO item_edits ("itemId", "userId", username, source, changes) VALUES ($1, $2, $3, 'admin', $4)`, [
        id,
        editor.userId,
        editor.username,
        JSON.stringify(changes),
      ]);
      return changes;
    });
  }
}
