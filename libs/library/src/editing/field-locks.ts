/**
 * Field locks: the fields of an item that an admin edited (or an NFO's `<lockdata>` locked) and that
 * scans, tag readers and scrapers must not overwrite. Pure helpers, no Nest, no database.
 *
 * - a field name (`title`, `genres`…) locks that field;
 * - `*` (Kodi's `<lockdata>true</lockdata>`) locks every metadata field;
 * - `artwork.<kind>` (`artwork.poster`…) locks one kind of picture against automatic sources. Artwork
 *   is not metadata: `*` does not lock it, so an NFO-locked film still gets its folder poster.
 */

/** A lock on every metadata field. */
export const ALL_FIELDS = '*';

/** The lock name of one kind of artwork. */
export const artworkLock = (kind: string): string => `artwork.${kind}`;

/** Whether `field` is locked by `locked` (a `*` lock covers every field except artwork). */
export function isLocked(locked: readonly string[] | null | undefined, field: string): boolean {
  if (!locked || locked.length === 0) return false;
  if (locked.includes(field)) return true;
  return !field.startsWith('artwork.') && locked.includes(ALL_FIELDS);
}

/**
 * Deep equality of field values: primitives, dates (by instant), arrays (in order) and plain objects
 * (whatever their key order). `undefined` and `null` are the same "no value".
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((value, index) => sameValue(value, b[index]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
    for (const key of keys) if (!sameValue(left[key], right[key])) return false;
    return true;
  }
  return false;
}

/**
 * The part of `incoming` a scan or scraper may write: fields that are not locked and whose value
 * actually differs from `current`. `undefined` values in `incoming` mean "no opinion" and are skipped.
 */
export function mergeUnlocked<T extends object>(
  current: T,
  incoming: Partial<T>,
  locked: readonly string[] | null | undefined,
): Partial<T> {
  const result: Partial<T> = {};
  for (const key of Object.keys(incoming) as (keyof T & string)[]) {
    const value = incoming[key];
    if (value === undefined || isLocked(locked, key)) continue;
    if (sameValue(current[key], value)) continue;
    result[key] = value;
  }
  return result;
}

/** The fields of `incoming` that differ from `current` (no lock check): what an admin edit changes. */
export function changedFields<T extends object>(current: T, incoming: Partial<T>): (keyof T & string)[] {
  return (Object.keys(incoming) as (keyof T & string)[]).filter(
    (key) => incoming[key] !== undefined && !sameValue(current[key], incoming[key]),
  );
}

/**
 * The lock list after an edit: `add` locked, then `remove` unlocked (so a field both changed and
 * unlocked in one request ends up unlocked). Order is kept, duplicates dropped.
 */
export function updateLocks(
  locked: readonly string[] | null | undefined,
  add: readonly string[],
  remove: readonly string[] = [],
): string[] {
  const removed = new Set(remove);
  const result: string[] = [];
  for (const field of [...(locked ?? []), ...add]) {
    if (!removed.has(field) && !result.includes(field)) result.push(field);
  }
  return result;
}
