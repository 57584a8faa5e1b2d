import { resolve } from 'node:path';
import sharp from 'sharp';
import { mapLimited } from '../async/map-limited.js';
import { runCapture } from '../ffmpeg/run-capture.js';

export interface VideoPhashOptions {
  /** Budget for the whole hash (all 25 frame grabs). */
  timeoutMs: number;
  /** Aborting kills the running ffmpeg processes and rejects with the signal's reason. */
  signal?: AbortSignal;
}

const COLUMNS = 5;
const ROWS = 5;
const FRAME_WIDTH = 160;
const PARALLEL_GRABS = 4;
const HASH_INPUT_SIZE = 64;

/**
 * Stash's video perceptual hash (pkg/hash/videophash), as StashDB stores it: 25 frames evenly
 * spaced from 5 % to 95 % of the duration, each scaled to 160 px wide, laid out row by row in a 5×5
 * sprite, hashed with goimagehash's PerceptionHash → 16 hex digits.
 *
 * How close to Stash: the hashing step (grayscale weights, DCT-II with its scaling, the 8×8 block,
 * goimagehash's own median selection, bit order) is ported exactly, so the same 64×64 pixels give
 * the same bits. The pixels themselves can differ slightly: frames come from this machine's ffmpeg,
 * and the sprite is shrunk to 64×64 by libvips' linear kernel rather than nfnt/resize's bilinear
 * filter. Expect a Hamming distance of a few bits from Stash's hash for the same file, which is
 * what phash matching tolerates anyway. Recent Stash versions shrink the grid for clips of 150 s or
 * less (2×2 up to 45 s, 3×3 up to 90 s, 4×4 up to 150 s); this always uses the 5×5 grid, so hashes of
 * such short clips will not match theirs.
 */
export async function videoPhash(ffmpegPath: string, path: string, durationMs: number, options: VideoPhashOptions): Promise<string> {
  if (!Number.isFinite(durationMs) || durationMs <= 0) throw new Error(`cannot compute the phash of ${path}: its duration is unknown`);
  const deadline = Date.now() + options.timeoutMs;
  // One controller for all grabs: the first failure (or the caller's abort) stops the others.
  const stop = new AbortController();
  const forward = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', forward, { once: true });
  try {
    options.signal?.throwIfAborted();
    const count = COLUMNS * ROWS;
    const times = Array.from({ length: count }, (_, i) => (0.05 * durationMs + (i * 0.9 * durationMs) / count) / 1000);
    const frames = await mapLimited(times, PARALLEL_GRABS, async (seconds) => {
      try {
        return await grabRgbFrame(ffmpegPath, path, seconds, { timeoutMs: Math.max(1, deadline - Date.now()), signal: stop.signal });
      } catch (error) {
        stop.abort(error);
        throw error;
      }
    });
    const sprite = montage(frames);
    const { data } = await sharp(sprite.pixels, { raw: { width: sprite.width, height: sprite.height, channels: 3 } })
      .resize(HASH_INPUT_SIZE, HASH_INPUT_SIZE, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return perceptionHash(grayscale(data));
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new Error(`cannot compute the phash of ${path}: ${(error as Error).message}`, { cause: error });
  } finally {
    options.signal?.removeEventListener('abort', forward);
  }
}

/**
 * goimagehash's PerceptionHash on a 64×64 grayscale image (row-major, 4096 values): 2-D DCT-II, the
 * top-left 8×8 coefficients (DC included), one bit per coefficient greater than their median, the
 * first coefficient in the most significant bit.
 */
export function perceptionHash(gray64x64: Uint8Array | Buffer | Float64Array): string {
  const n = HASH_INPUT_SIZE;
  if (gray64x64.length !== n * n) throw new Error(`perceptionHash needs ${n * n} grayscale values, got ${gray64x64.length}`);
  const cosines = dctCosines(n);
  // DCT along the rows, keeping the 8 lowest horizontal frequencies: the vertical pass needs no more.
  const rows = new Float64Array(n * 8);
  for (let y = 0; y < n; y++) {
    for (let u = 0; u < 8; u++) {
      let sum = 0;
      for (let x = 0; x < n; x++) sum += gray64x64[y * n + x] * cosines[u * n + x];
      rows[y * 8 + u] = sum * dctScale(u, n);
    }
  }
  const block: number[] = new Array(64);
  for (let v = 0; v < 8; v++) {
    for (let u = 0; u < 8; u++) {
      let sum = 0;
      for (let y = 0; y < n; y++) sum += rows[y * 8 + u] * cosines[v * n + y];
      block[v * 8 + u] = sum * dctScale(v, n);
    }
  }
  const median = goimagehashMedian(block);
  let hash = 0n;
  for (let i = 0; i < 64; i++) if (block[i] > median) hash |= 1n << BigInt(63 - i);
  return hash.toString(16).padStart(16, '0');
}

/** Bits that differ between two 64-bit hashes written as 16 hex digits. */
export function hammingDistance(a: string, b: string): number {
  if (!/^[0-9a-f]{16}$/i.test(a) || !/^[0-9a-f]{16}$/i.test(b))
    throw new Error(`hammingDistance needs two 16-digit hex hashes, got "${a}" and "${b}"`);
  let difference = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let bits = 0;
  for (; difference; difference &= difference - 1n) bits++;
  return bits;
}

interface RgbFrame {
  width: number;
  height: number;
  pixels: Buffer;
}

/** One frame as raw RGB, FRAME_WIDTH wide (Stash: scale=160:-2), straight from ffmpeg's stdout. */
async function grabRgbFrame(
  ffmpegPath: string,
  path: string,
  seconds: number,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<RgbFrame> {
  const args = [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-ss',
    seconds.toFixed(3),
    '-i',
    `file:${resolve(path)}`,
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    '-vf',
    `scale=${FRAME_WIDTH}:-2`,
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    'pipe:1',
  ];
  const { stdout } = await runCapture(ffmpegPath, args, { ...options, maxBytes: FRAME_WIDTH * 4096 * 3 });
  const height = stdout.length / (FRAME_WIDTH * 3);
  if (!Number.isInteger(height) || height === 0) throw new Error(`ffmpeg returned no frame at ${seconds.toFixed(3)} s`);
  return { width: FRAME_WIDTH, height, pixels: stdout };
}

/** Frames laid out row by row in a COLUMNS×ROWS grid, black where a frame is smaller than the first. */
function montage(frames: RgbFrame[]): RgbFrame {
  const { width, height } = frames[0];
  const canvas = { width: width * COLUMNS, height: height * ROWS, pixels: Buffer.alloc(width * COLUMNS * height * ROWS * 3) };
  frames.forEach((frame, index) => {
    const left = width * (index % COLUMNS);
    const top = height * Math.floor(index / COLUMNS);
    const rowBytes = Math.min(frame.width, width) * 3;
    for (let y = 0; y < Math.min(frame.height, height); y++) {
      frame.pixels.copy(canvas.pixels, ((top + y) * canvas.width + left) * 3, y * frame.width * 3, y * frame.width * 3 + rowBytes);
    }
  });
  return canvas;
}

/** goimagehash's Rgb2Gray weights, kept as floats. */
function grayscale(rgb: Buffer): Float64Array {
  const gray = new Float64Array(rgb.length / 3);
  for (let i = 0; i < gray.length; i++) gray[i] = 0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2];
  return gray;
}

let cosineTable: Float64Array | undefined;

/** cos(π (x + ½) k / n) for k < 8, x < n. */
function dctCosines(n: number): Float64Array {
  if (cosineTable) return cosineTable;
  cosineTable = new Float64Array(8 * n);
  for (let k = 0; k < 8; k++) for (let x = 0; x < n; x++) cosineTable[k * n + x] = Math.cos((Math.PI * (x + 0.5) * k) / n);
  return cosineTable;
}

/** The orthonormal DCT-II scaling goimagehash applies (Matlab's dct()). */
function dctScale(k: number, n: number): number {
  return (k === 0 ? Math.SQRT1_2 : 1) * Math.sqrt(2 / n);
}

/**
 * goimagehash's MedianOfPixels, ported as written, quirks included (its quickselect never looks at
 * the last value and recurses right with k - j): it is not the exact median, but matching its
 * choice is what makes the bits match Stash's.
 */
function goimagehashMedian(values: number[]): number {
  const sequence = [...values];
  const quickSelect = (low: number, hi: number, k: number): number => {
    if (hi - low <= 1) return sequence[k];
    let j = low;
    [sequence[j], sequence[k]] = [sequence[k], sequence[j]];
    j++;
    for (let i = j; i < hi; i++) {
      if (sequence[i] < sequence[low]) {
        [sequence[j], sequence[i]] = [sequence[i], sequence[j]];
        j++;
      }
    }
    j--;
    [sequence[j], sequence[low]] = [sequence[low], sequence[j]];
    if (k < j) return quickSelect(low, j, k);
    if (k > j) return quickSelect(j + 1, hi, k - j);
    return sequence[j];
  };
  const last = sequence.length - 1;
  return quickSelect(0, last, Math.floor(last / 2));
}
