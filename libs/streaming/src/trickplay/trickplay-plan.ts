/** Thumbnail width in pixels; the height follows the video's display aspect ratio. */
export const TILE_WIDTH = 320;
export const SHEET_COLUMNS = 10;
export const SHEET_ROWS = 10;
export const MAX_INTERVAL_MS = 10_000;
export const MIN_INTERVAL_MS = 1000;
/** A short video still gets about this many thumbnails (one per second at least). */
const TARGET_THUMBNAILS = 30;
/** A very long video gets a longer interval instead of more than this many thumbnails. */
export const MAX_THUMBNAILS = 2000;

export interface TrickplayPlan {
  intervalMs: number;
  frameCount: number;
}

/**
 * One thumbnail every 10 s, or more often for short videos (about 30 in all, at most one a second),
 * in whole seconds; never more than MAX_THUMBNAILS.
 */
export function planTrickplay(durationMs: number): TrickplayPlan {
  if (!Number.isFinite(durationMs) || durationMs <= 0) throw new Error(`cannot plan thumbnails for a duration of ${durationMs} ms`);
  const wholeSeconds = (ms: number) => Math.ceil(ms / 1000) * 1000;
  let intervalMs = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, wholeSeconds(durationMs / TARGET_THUMBNAILS)));
  intervalMs = Math.max(intervalMs, wholeSeconds(durationMs / MAX_THUMBNAILS));
  return { intervalMs, frameCount: Math.max(1, Math.ceil(durationMs / intervalMs)) };
}

export interface SheetLayout {
  /** Index of the first thumbnail on this sheet. */
  first: number;
  count: number;
  width: number;
  height: number;
}

/** The sprite sheets for `count` thumbnails: full sheets of columns × rows, the last one cropped to what it holds. */
export function layoutSheets(
  count: number,
  tileWidth: number,
  tileHeight: number,
  columns = SHEET_COLUMNS,
  rows = SHEET_ROWS,
): SheetLayout[] {
  const perSheet = columns * rows;
  const sheets: SheetLayout[] = [];
  for (let first = 0; first < count; first += perSheet) {
    const onSheet = Math.min(perSheet, count - first);
    sheets.push({
      first,
      count: onSheet,
      width: Math.min(onSheet, columns) * tileWidth,
      height: Math.ceil(onSheet / columns) * tileHeight,
    });
  }
  return sheets;
}

/** Where thumbnail `index` sits: its sheet and its rectangle on it. */
export function tilePosition(
  index: number,
  tileWidth: number,
  tileHeight: number,
  columns = SHEET_COLUMNS,
  rows = SHEET_ROWS,
): { sheet: number; x: number; y: number; w: number; h: number } {
  const perSheet = columns * rows;
  const onSheet = index % perSheet;
  return {
    sheet: Math.floor(index / perSheet),
    x: (onSheet % columns) * tileWidth,
    y: Math.floor(onSheet / columns) * tileHeight,
    w: tileWidth,
    h: tileHeight,
  };
}
