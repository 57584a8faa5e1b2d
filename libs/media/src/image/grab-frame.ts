import { resolve } from 'node:path';
import { runCapture } from '../ffmpeg/run-capture.js';
import { type PictureTreatment, pictureFilters } from '../ffmpeg/picture-filters.js';
import { FfmpegError } from '../ffmpeg/run-ffmpeg.js';

export interface GrabFrameOptions {
  timeoutMs: number;
  /** Aborting kills ffmpeg and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Scale down to at most this width (16–8192), keeping the display aspect ratio. */
  maxWidth?: number;
  /** Image format of the result; JPEG unless asked otherwise. */
  format?: 'jpeg' | 'png';
  /** Deinterlace and tone-map the source's picture (from its probe), so the image shows what a player shows. */
  picture?: PictureTreatment;
}

const MAX_FRAME_BYTES = 20 * 1024 * 1024;

/**
 * One frame of a video at `atMs`, as an image piped from ffmpeg's stdout (no temporary file). The
 * seek comes before the input, so ffmpeg jumps to the nearest keyframe instead of decoding from the
 * start. Non-square pixels are made square so the image has the video's display aspect ratio.
 */
export async function grabFrame(ffmpegPath: string, path: string, atMs: number, options: GrabFrameOptions): Promise<Buffer> {
  if (!Number.isFinite(atMs) || atMs < 0) throw new Error(`cannot grab a frame at ${atMs} ms: the time must be 0 or more`);
  const maxWidth = options.maxWidth;
  if (maxWidth !== undefined && !(Number.isInteger(maxWidth) && maxWidth >= 16 && maxWidth <= 8192)) {
    throw new Error(`cannot grab a frame ${maxWidth} px wide: maxWidth must be an integer from 16 to 8192`);
  }
  const filters = [
    ...pictureFilters(options.picture),
    'scale=trunc(iw*sar/2)*2:ih',
    'setsar=1',
    ...(maxWidth ? [`scale='min(iw,${maxWidth})':-2`] : []),
  ];
  const codec = options.format === 'png' ? ['-c:v', 'png'] : ['-c:v', 'mjpeg', '-q:v', '3'];
  const args = [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-ss',
    (atMs / 1000).toFixed(3),
    '-i',
    `file:${resolve(path)}`,
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    '-vf',
    filters.join(','),
    ...codec,
    '-f',
    'image2pipe',
    'pipe:1',
  ];
  const where = `a frame at ${(atMs / 1000).toFixed(3)} s of ${path}`;
  let frame: Buffer;
  try {
    frame = (await runCapture(ffmpegPath, args, { timeoutMs: options.timeoutMs, signal: options.signal, maxBytes: MAX_FRAME_BYTES }))
      .stdout;
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const reason = error instanceof FfmpegError ? error.message : String(error);
    throw new Error(`could not grab ${where}: ${reason}`, { cause: error });
  }
  if (frame.length === 0) throw new Error(`could not grab ${where}: ffmpeg produced no image (is the time past the end?)`);
  return frame;
}
