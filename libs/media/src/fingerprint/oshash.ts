import { open } from 'node:fs/promises';

const CHUNK = 64 * 1024;
const MASK = (1n << 64n) - 1n;

/**
 * The OpenSubtitles hash as Stash and StashDB compute it (stash pkg/hash/oshash): the file size plus
 * the sums of the first and the last 64 KiB read as little-endian uint64 words, modulo 2^64, as 16
 * lower-case hex digits.
 *
 * Stash's rule for small files, followed exactly so hashes match theirs: the chunk is
 * min(size, 64 KiB) rounded down to a multiple of 8, the head is that many bytes from the start and
 * the tail that many bytes ending at the end of the file (the two overlap or coincide for files under
 * 128 KiB, and trailing bytes past the last full word of a small file are ignored by the head but
 * counted by the tail). Files of 8 bytes or fewer have no hash: Stash rejects them, and so do we.
 */
export async function oshash(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    assertHashable(size, path);
    const chunk = chunkSize(size);
    const head = Buffer.alloc(chunk);
    const tail = Buffer.alloc(chunk);
    await readFully(file, head, 0, path);
    await readFully(file, tail, size - chunk, path);
    return format(BigInt(size) + sumWords(head) + sumWords(tail));
  } finally {
    await file.close();
  }
}

/** The same hash over bytes in memory (for tests and known vectors). */
export function oshashOfBuffer(data: Buffer): string {
  assertHashable(data.length, 'buffer');
  const chunk = chunkSize(data.length);
  return format(BigInt(data.length) + sumWords(data.subarray(0, chunk)) + sumWords(data.subarray(data.length - chunk)));
}

/** Whether a file of this size has an oshash at all (more than 8 bytes, as Stash requires). */
export function hasOshash(size: number): boolean {
  return size > 8;
}

function assertHashable(size: number, what: string): void {
  if (!hasOshash(size)) throw new Error(`cannot compute the oshash of ${what}: it has ${size} bytes and needs more than 8`);
}

function chunkSize(size: number): number {
  return Math.floor(Math.min(size, CHUNK) / 8) * 8;
}

function sumWords(buffer: Buffer): bigint {
  let sum = 0n;
  for (let offset = 0; offset + 8 <= buffer.length; offset += 8) sum += buffer.readBigUInt64LE(offset);
  return sum & MASK;
}

function format(sum: bigint): string {
  return (sum & MASK).toString(16).padStart(16, '0');
}

async function readFully(file: import('node:fs/promises').FileHandle, into: Buffer, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await file.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error(`cannot compute the oshash of ${path}: the file shrank while it was read`);
    done += bytesRead;
  }
}
