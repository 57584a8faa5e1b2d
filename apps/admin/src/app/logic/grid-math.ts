/** Layout arithmetic of the virtualised poster grid: items are laid out in rows of equal tiles. */

export interface GridLayout {
  columns: number;
  /** Width of one tile in pixels (the row is filled edge to edge). */
  tileWidth: number;
  /** Height of one row: the poster (2:3) plus its caption. */
  rowHeight: number;
}

/** As many columns of at least `minTileWidth` as fit in `width`, with `gap` between them; at least one. */
export function gridLayout(width: number, minTileWidth: number, gap: number, captionHeight: number, aspect = 1.5): GridLayout {
  const usable = Math.max(0, width);
  const columns = Math.max(1, Math.floor((usable + gap) / (minTileWidth + gap)));
  const tileWidth = Math.max(1, Math.floor((usable - gap * (columns - 1)) / columns));
  return { columns, tileWidth, rowHeight: Math.round(tileWidth * aspect) + captionHeight + gap };
}

/** The items in rows of `columns`. */
export function toRows<T>(items: readonly T[], columns: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += columns) rows.push(items.slice(i, i + columns));
  return rows;
}

/**
 * Whether to fetch the next page: the last rendered row is within `threshold` rows of the rows
 * loaded so far, and there is more to load.
 */
export function shouldLoadMore(lastVisibleRow: number, loadedRows: number, loaded: number, total: number, threshold = 3): boolean {
  return loaded < total && lastVisibleRow >= loadedRows - threshold;
}
