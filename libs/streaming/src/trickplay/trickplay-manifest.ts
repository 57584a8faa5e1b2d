import { formatVttTimestamp } from '../subtitles/webvtt.js';
import { tilePosition } from './trickplay-plan.js';

/** What a finished trickplay build describes, kept as manifest.json beside its sprite sheets. */
export interface TrickplayManifest {
  format: 1;
  sourceVersion: string;
  durationMs: number;
  intervalMs: number;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
  thumbnailCount: number;
  sheets: { width: number; height: number; count: number }[];
}

export function isTrickplayManifest(value: unknown): value is TrickplayManifest {
  const m = value as TrickplayManifest;
  const positive = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0;
  return (
    typeof m === 'object' &&
    m !== null &&
    m.format === 1 &&
    typeof m.sourceVersion === 'string' &&
    [m.durationMs, m.intervalMs, m.tileWidth, m.tileHeight, m.columns, m.rows, m.thumbnailCount].every(positive) &&
    Array.isArray(m.sheets) &&
    m.sheets.length === Math.ceil(m.thumbnailCount / (m.columns * m.rows)) &&
    m.sheets.every((sheet) => positive(sheet?.width) && positive(sheet?.height) && positive(sheet?.count))
  );
}

/** The relative URL of sprite sheet `n` as the thumbnails track names it (resolved against the track's own URL). */
export function spriteUrl(n: number, streamToken?: string): string {
  return `trickplay/${n}.jpg${streamToken ? `?st=${encodeURIComponent(streamToken)}` : ''}`;
}

/**
 * The WebVTT thumbnails track: one cue per thumbnail, `trickplay/<sheet>.jpg#xywh=x,y,w,h`, the cues
 * back to back from 0 to the end of the video. With a stream token, the image URLs carry it too.
 */
export function trickplayVtt(manifest: TrickplayManifest, streamToken?: string): string {
  const { intervalMs, durationMs, thumbnailCount, tileWidth, tileHeight, columns, rows } = manifest;
  let out = 'WEBVTT\n\n';
  for (let i = 0; i < thumbnailCount; i++) {
    const start = i * intervalMs;
    const last = i === thumbnailCount - 1;
    const end = last ? Math.max(durationMs, start + 1) : Math.min((i + 1) * intervalMs, Math.max(durationMs, start + 1));
    const { sheet, x, y, w, h } = tilePosition(i, tileWidth, tileHeight, columns, rows);
    out += `${formatVttTimestamp(start)} --> ${formatVttTimestamp(end)}\n${spriteUrl(sheet, streamToken)}#xywh=${x},${y},${w},${h}\n\n`;
  }
  return out;
}
