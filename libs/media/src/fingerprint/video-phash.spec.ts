import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpegPath, makeCorrupt, makeVideo } from '../../../../test/helpers/media-fixtures.js';
import { processRunning } from '../../../../test/helpers/processes.js';
import { hammingDistance, perceptionHash, videoPhash } from './video-phash.js';

const ffmpeg = ffmpegPath();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marquee-phash-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A smooth pseudo-random 64×64 image: a few low-frequency waves, deterministic from `seed`. */
function image(seed: number): Float64Array {
  const pixels = new Float64Array(64 * 64);
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) {
      pixels[y * 64 + x] =
        128 +
        50 * Math.sin((x * (seed % 5) + y) / 7 + seed) +
        40 * Math.cos((y * ((seed % 3) + 1) - x) / 11) +
        20 * Math.sin((x * y) / 300 + seed);
    }
  }
  return pixels;
}

/**
 * goimagehash's PerceptionHash written out the slow, literal way (full 64-point DCT of every row and
 * column as in transforms/dct.go, FlattenPixels, MedianOfPixels' quickselect, leftShiftSet).
 */
function referenceHash(gray: ArrayLike<number>): string {
  const dct1d = (input: number[]) =>
    input.map((_, i) => {
      let z = 0;
      for (let j = 0; j < input.length; j++) z += input[j] * Math.cos((Math.PI * (j + 0.5) * i) / input.length);
      if (i === 0) z *= Math.sqrt(0.5);
      return z * Math.sqrt(2 / input.length);
    });
  const rows = Array.from({ length: 64 }, (_, y) => dct1d(Array.from({ length: 64 }, (_, x) => gray[y * 64 + x])));
  for (let x = 0; x < 64; x++) {
    const column = dct1d(rows.map((row) => row[x]));
    column.forEach((value, y) => (rows[y][x] = value));
  }
  const flat: number[] = [];
  for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) flat[8 * i + j] = rows[i][j];
  const sequence = [...flat];
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
  const median = quickSelect(0, 63, 31);
  let hash = 0n;
  flat.forEach((p, idx) => {
    if (p > median) hash |= 1n << BigInt(64 - idx - 1);
  });
  return hash.toString(16).padStart(16, '0');
}

describe('perceptionHash', () => {
  it("equals goimagehash's algorithm written out literally", () => {
    for (const seed of [1, 2, 3, 7, 11, 42]) {
      const pixels = image(seed);
      expect(perceptionHash(pixels)).toBe(referenceHash(pixels));
      const bytes = Uint8Array.from(pixels, (p) => Math.max(0, Math.min(255, Math.round(p))));
      expect(perceptionHash(bytes)).toBe(referenceHash(bytes));
    }
  });

  it('ignores a uniform change of brightness or contrast', () => {
    const pixels = image(1);
    // A regression value: this implementation's hash of image(1), equal to referenceHash above.
    expect(perceptionHash(pixels)).toBe('dac79af0a517a517');
    expect(perceptionHash(pixels.map((p) => p + 30))).toBe('dac79af0a517a517');
    expect(perceptionHash(pixels.map((p) => p * 0.5))).toBe('dac79af0a517a517');
  });

  it('gives different images distant hashes', () => {
    const hashes = [1, 2, 11, 42].map((seed) => perceptionHash(image(seed)));
    for (const a of hashes) for (const b of hashes) if (a !== b) expect(hammingDistance(a, b)).toBeGreaterThan(15);
    expect(new Set(hashes).size).toBe(4);
  });

  it("keeps goimagehash's median quirk: its quickselect can pick the largest coefficient, leaving no bit set", () => {
    // Stash hashes such an image to 0 as well; matching StashDB means matching this.
    expect(perceptionHash(image(5))).toBe('0000000000000000');
    expect(referenceHash(image(5))).toBe('0000000000000000');
  });

  it('needs exactly 64×64 values', () => {
    expect(() => perceptionHash(new Uint8Array(100))).toThrow('perceptionHash needs 4096 grayscale values, got 100');
  });
});

describe('hammingDistance', () => {
  it('counts differing bits', () => {
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('8000000000000000', '0000000000000001')).toBe(2);
    expect(hammingDistance('a1b2c3d4e5f60718', 'A1B2C3D4E5F60718')).toBe(0);
    expect(hammingDistance('00000000000000f0', '000000000000000f')).toBe(8);
  });

  it('rejects values that are not 16 hex digits', () => {
    expect(() => hammingDistance('abc', '0000000000000000')).toThrow(
      'hammingDistance needs two 16-digit hex hashes, got "abc" and "0000000000000000"',
    );
  });
});

describe('videoPhash', () => {
  it('is stable across resolutions and tells different videos apart', async () => {
    const small = join(dir, 'testsrc-320.mkv');
    const large = join(dir, 'testsrc-640.mp4');
    const other = join(dir, 'mandelbrot.mkv');
    await makeVideo(small, { seconds: 3, source: 'testsrc', width: 320, height: 240 });
    await makeVideo(large, { seconds: 3, source: 'testsrc', width: 640, height: 480, container: 'mp4' });
    await makeVideo(other, { seconds: 3, source: 'mandelbrot', width: 320, height: 240 });

    const smallHash = await videoPhash(ffmpeg, small, 3000, { timeoutMs: 30_000 });
    const largeHash = await videoPhash(ffmpeg, large, 3000, { timeoutMs: 30_000 });
    const otherHash = await videoPhash(ffmpeg, other, 3000, { timeoutMs: 30_000 });

    expect(smallHash).toMatch(/^[0-9a-f]{16}$/);
    expect(await videoPhash(ffmpeg, small, 3000, { timeoutMs: 30_000 })).toBe(smallHash);
    expect(hammingDistance(smallHash, largeHash)).toBeLessThanOrEqual(8);
    expect(hammingDistance(smallHash, otherHash)).toBeGreaterThan(10);
    // Three encodes and four hashing runs of ffmpeg: more than the default minute on a busy machine.
  }, 180_000);

  it('rejects an unknown duration and a corrupt file clearly', async () => {
    const corrupt = join(dir, 'corrupt.mkv');
    await makeCorrupt(corrupt, 'garbage');
    await expect(videoPhash(ffmpeg, corrupt, 0, { timeoutMs: 10_000 })).rejects.toThrow(
      `cannot compute the phash of ${corrupt}: its duration is unknown`,
    );
    await expect(videoPhash(ffmpeg, corrupt, 2000, { timeoutMs: 10_000 })).rejects.toThrow(
      new RegExp(`^cannot compute the phash of ${corrupt}: ffmpeg exited with code 1: .*Invalid data found when processing input`),
    );
  });

  it('honours the timeout and an abort, leaving no ffmpeg behind', async () => {
    const file = join(dir, 'cancel-me.mkv');
    await makeVideo(file, { seconds: 2 });
    await expect(videoPhash(ffmpeg, file, 2000, { timeoutMs: 1 })).rejects.toThrow(
      /^cannot compute the phash of .*: ffmpeg timed out after 1 ms$/,
    );

    const abort = new AbortController();
    const hashing = videoPhash(ffmpeg, file, 2000, { timeoutMs: 30_000, signal: abort.signal });
    abort.abort(new Error('cancelled by test'));
    await expect(hashing).rejects.toThrow(new Error('cancelled by test'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(processRunning(file)).toBe(false);
  });
});
