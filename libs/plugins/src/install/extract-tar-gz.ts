import { createReadStream } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { checkEntryName, PackageRejectedError, UnpackBudget } from './install-limits.js';

const BLOCK = 512;

interface Header {
  name: string;
  mode: number;
  size: number;
  type: string;
}

/**
 * Unpacks a .tar.gz into `target` (an empty folder): ustar, GNU long names and pax `path` records.
 * Only regular files and folders are accepted; a symlink, hard link or device refuses the archive,
 * as do absolute names, `..` segments and archives past the entry and size budgets.
 */
export async function extractTarGz(archive: string, target: string): Promise<void> {
  const budget = new UnpackBudget();
  const reader = new BlockReader(createReadStream(archive).pipe(createGunzip()));
  let longName: string | undefined;
  let paxPath: string | undefined;
  try {
    for (;;) {
      const block = await reader.read(BLOCK);
      if (!block || block.every((byte) => byte === 0)) break;
      const header = parseHeader(block);
      const padded = Math.ceil(header.size / BLOCK) * BLOCK;
      if (header.type === 'L' || header.type === 'x' || header.type === 'g') {
        if (header.size > 64 * 1024) throw new PackageRejectedError('The archive has an oversized extended header');
        const data = (await reader.read(padded))?.subarray(0, header.size);
        if (!data) throw new PackageRejectedError('The archive ends inside an extended header');
        if (header.type === 'L') longName = data.toString('utf8').replace(/\0.*$/s, '');
        if (header.type === 'x') paxPath = paxRecord(data, 'path') ?? paxPath;
        continue;
      }
      const name = (paxPath ?? longName ?? header.name).replace(/^\.\//, '');
      longName = paxPath = undefined;
      if (name === '' || name === '.' || name === './') {
        await reader.skip(padded);
        continue;
      }
      checkEntryName(name);
      budget.entry(name);
      const path = join(target, name);
      if (header.type === '5') {
        await mkdir(path, { recursive: true });
        await reader.skip(padded);
        continue;
      }
      if (header.type !== '0' && header.type !== '\0' && header.type !== '7') {
        throw new PackageRejectedError(`The archive entry "${name}" is a symlink, link or special file; the archive is refused`);
      }
      budget.add(name, header.size);
      await mkdir(dirname(path), { recursive: true });
      const file = await open(path, 'wx', header.mode & 0o111 ? 0o755 : 0o644);
      try {
        await copyBytes(reader, file, header.size);
      } finally {
        await file.close();
      }
      await reader.skip(padded - header.size);
    }
  } catch (error) {
    if (error instanceof PackageRejectedError) throw error;
    throw new PackageRejectedError(`The .tar.gz archive could not be unpacked (${(error as Error).message})`);
  } finally {
    reader.destroy();
  }
}

function parseHeader(block: Buffer): Header {
  const text = (start: number, length: number) =>
    block
      .subarray(start, start + length)
      .toString('utf8')
      .replace(/\0.*$/s, '');
  const octal = (start: number, length: number) => {
    const value = text(start, length).trim();
    if (value && !/^[0-7]+$/.test(value)) throw new PackageRejectedError('The archive has a malformed tar header');
    return value ? parseInt(value, 8) : 0;
  };
  const checksum = octal(148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
  if (sum !== checksum) throw new PackageRejectedError('The upload is not a tar archive (bad header checksum)');
  const prefix = text(257, 6).startsWith('ustar') ? text(345, 155) : '';
  const name = text(0, 100);
  return { name: prefix ? `${prefix}/${name}` : name, mode: octal(100, 8), size: octal(124, 12), type: String.fromCharCode(block[156]) };
}

function paxRecord(data: Buffer, key: string): string | undefined {
  for (const line of data.toString('utf8').split('\n')) {
    const match = /^\d+ ([^=]+)=(.*)$/s.exec(line);
    if (match && match[1] === key) return match[2];
  }
  return undefined;
}

async function copyBytes(reader: BlockReader, file: FileHandle, size: number): Promise<void> {
  let left = size;
  while (left > 0) {
    const chunk = await reader.readUpTo(Math.min(left, 1024 * 1024));
    if (!chunk) throw new PackageRejectedError('The archive ends inside a file');
    await file.write(chunk);
    left -= chunk.length;
  }
}

/** Pulls exact byte counts out of a stream. */
class BlockReader {
  private buffered: Buffer[] = [];
  private length = 0;
  private done = false;
  private readonly iterator: AsyncIterator<Buffer>;

  constructor(private readonly stream: NodeJS.ReadableStream & { destroy(): void }) {
    this.iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  private async fill(wanted: number): Promise<void> {
    while (this.length < wanted && !this.done) {
      const next = await this.iterator.next();
      if (next.done) this.done = true;
      else {
        this.buffered.push(next.value);
        this.length += next.value.length;
      }
    }
  }

  private take(count: number): Buffer {
    const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
    this.buffered = count < all.length ? [all.subarray(count)] : [];
    this.length = all.length - count;
    return all.subarray(0, count);
  }

  async read(count: number): Promise<Buffer | undefined> {
    await this.fill(count);
    return this.length < count ? undefined : this.take(count);
  }

  async readUpTo(count: number): Promise<Buffer | undefined> {
    await this.fill(1);
    return this.length === 0 ? undefined : this.take(Math.min(count, this.length));
  }

  async skip(count: number): Promise<void> {
    let left = count;
    while (left > 0) {
      const chunk = await this.readUpTo(left);
      if (!chunk) return;
      left -= chunk.length;
    }
  }

  destroy(): void {
    this.stream.destroy();
  }
}
