import { contentDisposition, validatorsOf } from './file-response.js';
import type { BigIntStats } from 'node:fs';

describe('contentDisposition', () => {
  it.each([
    ['Film (2020).mp4', `inline; filename="Film (2020).mp4"; filename*=UTF-8''Film%20%282020%29.mp4`],
    ['Amélie.mkv', `inline; filename="Am_lie.mkv"; filename*=UTF-8''Am%C3%A9lie.mkv`],
    ['東京物語.mkv', `inline; filename="____.mkv"; filename*=UTF-8''%E6%9D%B1%E4%BA%AC%E7%89%A9%E8%AA%9E.mkv`],
    [
      'a "quoted" \\ name 100%.flac',
      `inline; filename="a _quoted_ _ name 100_.flac"; filename*=UTF-8''a%20%22quoted%22%20%5C%20name%20100%25.flac`,
    ],
    ["it's*.mp3", `inline; filename="it's*.mp3"; filename*=UTF-8''it%27s%2A.mp3`],
  ])('%j', (name, header) => {
    expect(contentDisposition(name)).toBe(header);
  });

  it('a name with control characters (legal on Linux) still makes a valid header value', () => {
    const header = contentDisposition('evil\r\nSet-Cookie: x=1\u0000.mkv');
    expect(header).toBe(`inline; filename="evil__Set-Cookie: x=1_.mkv"; filename*=UTF-8''evil%0D%0ASet-Cookie%3A%20x%3D1%00.mkv`);
    expect(header).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('validatorsOf', () => {
  const stats = (ino: bigint, size: bigint, mtimeNs: bigint) =>
    ({ ino, size, mtimeNs, mtimeMs: mtimeNs / 1_000_000n }) as unknown as BigIntStats;

  it('a strong entity tag that changes with the inode, the size or the mtime (to the nanosecond)', () => {
    const base = validatorsOf(stats(10n, 1000n, 1_700_000_000_123_456_789n));
    expect(base.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(validatorsOf(stats(10n, 1000n, 1_700_000_000_123_456_789n)).etag).toBe(base.etag);
    expect(validatorsOf(stats(11n, 1000n, 1_700_000_000_123_456_789n)).etag).not.toBe(base.etag);
    expect(validatorsOf(stats(10n, 1001n, 1_700_000_000_123_456_789n)).etag).not.toBe(base.etag);
    expect(validatorsOf(stats(10n, 1000n, 1_700_000_000_123_456_790n)).etag).not.toBe(base.etag);
    // Inodes past 2^53 are taken exactly.
    expect(validatorsOf(stats(2n ** 60n, 1000n, 1n)).etag).not.toBe(validatorsOf(stats(2n ** 60n + 1n, 1000n, 1n)).etag);
  });

  it('Last-Modified is the mtime truncated to the second', () => {
    expect(validatorsOf(stats(1n, 1n, 1_700_000_000_999_999_999n)).lastModified).toBe(1_700_000_000_000);
  });
});
