import type { EntityManager } from 'typeorm';
import { mergeUnlocked } from '../editing/field-locks.js';
import type { LeafFields } from './file-placement.js';

/** An existing item brought in line with its file after the file moved or changed. */
export interface Replacement {
  itemId: string;
  /** The parent its file now names; `undefined` leaves the parent as it is. */
  parentId?: string | null;
  /** What its path or tags now say. */
  fields: Partial<LeafFields>;
}

/**
 * The fields a leaf's file decides, written again when the file moves or changes: an episode's
 * numbers (its title may have come from an NFO), an extra's kind, and everything a track's tags say.
 * An image is only its place.
 */
export function fileDerivedFields(leaf: LeafFields): Partial<LeafFields> {
  switch (leaf.type) {
    case 'episode':
      return {
        indexNumber: leaf.indexNumber ?? null,
        indexNumberEnd: leaf.indexNumberEnd ?? null,
        parentIndexNumber: leaf.parentIndexNumber ?? null,
        absoluteNumber: leaf.absoluteNumber ?? null,
      };
    case 'extra':
      return { extraType: leaf.extraType ?? null };
    case 'track':
      return {
        title: leaf.title,
        artists: leaf.artists ?? [],
        albumTitle: leaf.albumTitle ?? null,
        indexNumber: leaf.indexNumber ?? null,
        parentIndexNumber: leaf.parentIndexNumber ?? null,
        year: leaf.year ?? null,
        genres: leaf.genres ?? [],
      };
    default:
      return {};
  }
}

/** The columns a replacement can write, with their PostgreSQL types (an allowlist: names reach SQL). */
const COLUMN_TYPES = {
  parentId: 'uuid',
  title: 'text',
  artists: 'text[]',
  albumTitle: 'text',
  year: 'integer',
  genres: 'text[]',
  indexNumber: 'integer',
  indexNumberEnd: 'integer',
  parentIndexNumber: 'integer',
  absoluteNumber: 'integer',
  extraType: 'varchar(32)',
} as const;
type Column = keyof typeof COLUMN_TYPES;
const FIELD_COLUMNS = Object.keys(COLUMN_TYPES).filter((column) => column !== 'parentId') as Column[];

type CurrentRow = Record<Column, unknown> & { id: string; lockedFields: string[] };

/**
 * Writes replacements in the caller's transaction: each item's new parent, and the fields that are
 * neither locked (edited by an admin, or `<lockdata>`) nor unchanged. The items are locked in id
 * order, and items writing the same columns share one statement. Returns how many items changed.
 */
export async function replaceItems(manager: EntityManager, replacements: readonly Replacement[]): Promise<number> {
  if (replacements.length === 0) return 0;
  const ids = [...new Set(replacements.map((replacement) => replacement.itemId))];
  const rows = await manager.query<CurrentRow[]>(
    `SELECT id, "lockedFields", "parentId", ${FIELD_COLUMNS.map((column) => `"${column}"`).join(', ')}
     FROM media_items WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [ids],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const groups = new Map<string, { columns: Column[]; rows: Record<string, unknown>[] }>();
  for (const { itemId, parentId, fields } of replacements) {
    const current = byId.get(itemId);
    if (!current) continue;
    const update: Record<string, unknown> = mergeUnlocked(current, fields as Partial<CurrentRow>, current.lockedFields);
    if (parentId !== undefined && parentId !== current.parentId) update.parentId = parentId;
    const columns = (Object.keys(update) as Column[]).filter((column) => column in COLUMN_TYPES).sort();
    if (columns.length === 0) continue;
    Object.assign(current, update);
    const signature = columns.join(',');
    let group = groups.get(signature);
    if (!group) groups.set(signature, (group = { columns, rows: [] }));
    group.rows.push({ ...Object.fromEntries(columns.map((column) => [column, update[column]])), id: itemId });
  }
  let changed = 0;
  for (const { columns, rows: updates } of groups.values()) {
    await manager.query(
      `UPDATE media_items AS i SET ${columns.map((column) => `"${column}" = u."${column}"`).join(', ')}, "updatedAt" = now()
       FROM jsonb_to_recordset($1::jsonb) AS u(id uuid, ${columns.map((column) => `"${column}" ${COLUMN_TYPES[column]}`).join(', ')})
       WHERE i.id = u.id`,
      [JSON.stringify(updates)],
    );
    changed += updates.length;
  }
  return changed;
}

/**
 * Gives containers (a moved film, a moved archive's gallery) the group key of where they now are,
 * so files added there later join them. A key another item already holds is left alone.
 */
export async function regroupContainers(manager: EntityManager, changes: readonly { itemId: string; groupKey: string }[]): Promise<void> {
  const byKey = new Map<string, string>();
  for (const { itemId, groupKey } of changes) if (!byKey.has(groupKey)) byKey.set(groupKey, itemId);
  if (byKey.size === 0) return;
  await manager.query(
    `UPDATE media_items i SET "groupKey" = m."groupKey", "updatedAt" = now()
     FROM unnest($1::uuid[], $2::text[]) AS m(id, "groupKey")
     WHERE i.id = m.id AND i."groupKey" IS DISTINCT FROM m."groupKey"
       AND NOT EXISTS (SELECT 1 FROM media_items o WHERE o."libraryId" = i."libraryId" AND o.type = i.type AND o."groupKey" = m."groupKey")`,
    [[...byKey.values()], [...byKey.keys()]],
  );
}
