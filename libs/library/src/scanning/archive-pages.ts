/** Pages of an archive in reading order: "2.jpg" before "10.jpg". */
const PAGE_ORDER = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** An archive's image entries in reading order. */
export function inReadingOrder<T extends { name: string }>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => PAGE_ORDER.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A page of an archive as the catalogue holds it: one file row (and item) per entry. */
export interface CataloguedPage {
  id: string;
  itemId: string;
  archiveEntry: string;
}

export interface ArchivePagePlan {
  /** Pages still in the archive, keeping their items (and their users' data), numbered by their new place. */
  kept: { page: CataloguedPage; indexNumber: number }[];
  /** Entries the catalogue does not have yet. */
  added: { name: string; indexNumber: number }[];
  /** Pages no longer in the archive: their items are marked missing, like a deleted file's, until the clean-up job. */
  removed: CataloguedPage[];
}

/** What an archive changed in place means for its pages: matched by entry name, numbered in reading order. */
export function planArchivePages(catalogued: readonly CataloguedPage[], entries: readonly { name: string }[]): ArchivePagePlan {
  const byName = new Map(catalogued.map((page) => [page.archiveEntry, page]));
  const plan: ArchivePagePlan = { kept: [], added: [], removed: [] };
  for (const [index, entry] of inReadingOrder(entries).entries()) {
    const page = byName.get(entry.name);
    byName.delete(entry.name);
    if (page) plan.kept.push({ page, indexNumber: index + 1 });
    else plan.added.push({ name: entry.name, indexNumber: index + 1 });
  }
  plan.removed = [...byName.values()];
  return plan;
}
