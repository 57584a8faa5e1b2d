import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type PictureTreatment, pictureFilters, runFfmpeg } from '@marquee/media';
import sharp from 'sharp';
import { layoutSheets, SHEET_COLUMNS, SHEET_ROWS, type TrickplayPlan, tilePosition } from './trickplay-plan.js';

export interface FrameOptions {
  tileWidth: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Thumbnails written so far. */
  onFrames?: (count: number) => void;
  /** Deinterlace and tone-map the source's picture (from its probe). */
  picture?: PictureTreatment;
}

const FRAME_NAME = /^(\d{5})\.jpg$/;
const FRAME_COUNT = /frame=\s*(\d+)/;
const SHEET_QUALITY = 70;

/**
 * ffmpeg arguments: one frame per interval, made square-pixelled and scaled to the tile width, as
 * numbered JPEGs. `input` is ffmpeg's input options (partsInput: one file, or a film's parts).
 */
export function frameArgs(
  input: readonly string[],
  outDir: string,
  plan: TrickplayPlan,
  tileWidth: number,
  picture?: PictureTreatment,
): string[] {
  if (!Number.isInteger(plan.intervalMs) || plan.intervalMs < 1) throw new Error(`not an interval: ${plan.intervalMs}`);
  if (!Number.isInteger(plan.frameCount) || plan.frameCount < 1) throw new Error(`not a frame count: ${plan.frameCount}`);
  if (!Number.isInteger(tileWidth) || tileWidth < 16 || tileWidth > 1920) throw new Error(`not a tile width: ${tileWidth}`);
  const filters = [
    ...pictureFilters(picture),
    `fps=1000/${plan.intervalMs}`,
    'scale=trunc(iw*sar/2)*2:ih',
    'setsar=1',
    `scale=${tileWidth}:-2`,
  ];
  return [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-stats',
    '-y',
    ...input,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-vf',
    filters.join(','),
    '-frames:v',
    String(plan.frameCount),
    '-c:v',
    'mjpeg',
    '-q:v',
    '3',
    '-f',
    'image2',
    '-start_number',
    '0',
    `file:${join(resolve(outDir), '%05d.jpg')}`,
  ];
}

/** Extracts the thumbnails into `outDir` and returns their paths in order. */
export async function extractFrames(
  ffmpeg: string,
  input: readonly string[],
  outDir: string,
  plan: TrickplayPlan,
  options: FrameOptions,
): Promise<string[]> {
  await runFfmpeg(ffmpeg, frameArgs(input, outDir, plan, options.tileWidth, options.picture), {
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    onStderrLine: (line) => {
      const frames = FRAME_COUNT.exec(line);
      if (frames && options.onFrames) options.onFrames(Number(frames[1]));
    },
  });
  const names = (await readdir(outDir)).filter((name) => FRAME_NAME.test(name)).sort();
  return names.slice(0, plan.frameCount).map((name) => join(outDir, name));
}

export interface SpriteSheet {
  path: string;
  width: number;
  height: number;
  count: number;
}

/**
 * Tiles the thumbnails into sprite sheets (`<n>.jpg` in `outDir`) of SHEET_COLUMNS × SHEET_ROWS,
 * every tile `tileWidth` × the first frame's height (a frame of another size is fitted to it).
 */
export async function tileSprites(
  frames: string[],
  outDir: string,
  tileWidth: number,
  options: { signal?: AbortSignal; onSheet?: (done: number, total: number) => void } = {},
): Promise<{ tileHeight: number; sheets: SpriteSheet[] }> {
  if (frames.length === 0) throw new Error('no thumbnails to tile');
  const first = await sharp(frames[0]).metadata();
  if (!first.width || !first.height) throw new Error('the first thumbnail has no dimensions');
  const tileHeight = Math.max(2, Math.round((first.height * tileWidth) / first.width));
  const layout = layoutSheets(frames.length, tileWidth, tileHeight);
  const sheets: SpriteSheet[] = [];
  for (const [n, sheet] of layout.entries()) {
    options.signal?.throwIfAborted();
    const tiles = await Promise.all(
      frames.slice(sheet.first, sheet.first + sheet.count).map(async (frame, k) => {
        const { x, y } = tilePosition(sheet.first + k, tileWidth, tileHeight, SHEET_COLUMNS, SHEET_ROWS);
        const input = await sharp(frame).resize(tileWidth, tileHeight, { fit: 'fill' }).toBuffer();
        return { input, left: x, top: y };
      }),
    );
    const path = join(outDir, `${n}.jpg`);
    await sharp({ create: { width: sheet.width, height: sheet.height, channels: 3, background: '#000000' } })
      .composite(tiles)
      .jpeg({ quality: SHEET_QUALITY, mozjpeg: false })
      .toFile(path);
    sheets.push({ path, width: sheet.width, height: sheet.height, count: sheet.count });
    options.onSheet?.(n + 1, layout.length);
  }
  return { tileHeight, sheets };
}
