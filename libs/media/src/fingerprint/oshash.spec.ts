import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { md5File } from './md5-file.js';
import { oshash, oshashOfBuffer } from './oshash.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marquee-oshash-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const write = async (name: string, data: Buffer) => {
  const path = join(dir, name);
  await writeFile(path, data);
  return path;
};

describe('oshash', () => {
  it("matches Stash's own test vectors (pkg/hash/oshash/oshash_test.go)", () => {
    let regular = Buffer.from('this is a test');
    for (let i = 0; i < 15; i++) regular = Buffer.concat([regular, regular]);
    expect(oshashOfBuffer(regular)).toBe('6a0eba04654d0b9b');
    expect(oshashOfBuffer(Buffer.from('hello world'))).toBe('d3e392dee38cd4df');
    // Two files whose last words are permutations of each other collide: the hash is a plain sum.
    const withTail = (text: string) => {
      const tail = Buffer.alloc(64 * 1024);
      Buffer.from(text).copy(tail, tail.length - text.length);
      return Buffer.concat([Buffer.alloc(64 * 1024), tail]);
    };
    expect(oshashOfBuffer(withTail('this is dumb'))).toBe('d5d6ddd820756920');
    expect(oshashOfBuffer(withTail('dumb is this'))).toBe('d5d6ddd820756920');
  });

  it('sums the head and tail words and the size: 128 KiB where word i = i', () => {
    const data = Buffer.alloc(131072);
    for (let i = 0; i < 16384; i++) data.writeBigUInt64LE(BigInt(i), i * 8);
    // 0 + 1 + … + 16383 = 134209536, plus the size 131072 = 134340608 = 0x801e000.
    expect(oshashOfBuffer(data)).toBe('000000000801e000');
  });

  it('wraps around modulo 2^64', () => {
    // 16384 words of 2^64 - 1 sum to -16384 (mod 2^64); plus the size 131072 = 114688 = 0x1c000.
    expect(oshashOfBuffer(Buffer.alloc(131072, 0xff))).toBe('000000000001c000');
  });

  it('reads the whole file as both head and tail when it is exactly 64 KiB', async () => {
    // Each word is 0x0101010101010101; 2 × 8192 of them = that << 14 (mod 2^64) = 0x4040404040404000; plus 65536.
    const path = await write('ones.bin', Buffer.alloc(65536, 0x01));
    expect(await oshash(path)).toBe('4040404040414000');
  });

  it('follows Stash for a 100-byte file: 96-byte head from the start, 96-byte tail ending at the end', async () => {
    const data = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    let expected = 100n;
    for (let at = 0; at < 96; at += 8) expected += data.readBigUInt64LE(at) + data.readBigUInt64LE(4 + at);
    expect((expected % 2n ** 64n).toString(16)).toBe('fce4ccb49c846cb4');
    expect(oshashOfBuffer(data)).toBe('fce4ccb49c846cb4');
    expect(await oshash(await write('hundred.bin', data))).toBe('fce4ccb49c846cb4');
  });

  it('gives the same hash from the file as from its bytes (3 MB)', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    const path = await write('random.bin', data);
    expect(await oshash(path)).toBe(oshashOfBuffer(data));
    expect(await oshash(path)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('refuses files of 8 bytes or fewer, as Stash does', async () => {
    expect(() => oshashOfBuffer(Buffer.from('hello'))).toThrow('cannot compute the oshash of buffer: it has 5 bytes and needs more than 8');
    const empty = await write('empty.bin', Buffer.alloc(0));
    await expect(oshash(empty)).rejects.toThrow(`cannot compute the oshash of ${empty}: it has 0 bytes and needs more than 8`);
    const eight = await write('eight.bin', Buffer.alloc(8, 1));
    await expect(oshash(eight)).rejects.toThrow('it has 8 bytes and needs more than 8');
    // 9 bytes: one 8-byte word from the start, one ending at the end.
    const nine = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(await oshash(await write('nine.bin', nine))).toBe((9n + 1n + 2n * 256n ** 7n).toString(16).padStart(16, '0'));
  });

  it('rejects a missing file', async () => {
    await expect(oshash(join(dir, 'missing.bin'))).rejects.toThrow(/ENOENT/);
  });
});

describe('md5File', () => {
  it('equals the MD5 of the bytes', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const path = await write('md5.bin', data);
    expect(await md5File(path)).toBe(createHash('md5').update(data).digest('hex'));
    expect(await md5File(await write('md5-empty.bin', Buffer.alloc(0)))).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('stops when aborted', async () => {
    const path = await write('md5-abort.bin', randomBytes(1024 * 1024));
    const abort = new AbortController();
    abort.abort(new Error('cancelled by test'));
    await expect(md5File(path, abort.signal)).rejects.toThrow(/aborted|cancelled by test/);
  });
});
