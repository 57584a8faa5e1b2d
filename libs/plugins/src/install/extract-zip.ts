import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry } from 'yauzl';
import { checkEntryName, PackageRejectedError, UnpackBudget } from './install-limits.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/**
 * Unpacks a zip into `target` (an empty folder). Every entry is checked before it is written: names
 * that are absolute or contain `..` refuse the archive, as do symlinks and other special files,
 * encrypted entries, and archives past the entry and size budgets. Execute bits are kept.
 */
export async function extractZip(archive: string, target: string): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(archive, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
  } catch (error) {
    throw new PackageRejectedError(`The upload is not a readable zip archive (${(error as Error).message})`);
  }
  const budget = new UnpackBudget();
  try {
    for await (const entry of zip.eachEntry()) {
      const raw = entry.fileName as unknown as Buffer;
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
      checkEntryName(name);
      budget.entry(name);
      const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
      const type = mode & S_IFMT;
      const isDir = name.endsWith('/') || type === S_IFDIR;
      if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
        throw new PackageRejectedError(`The archive entry "${name}" is a symlink or special file; the archive is refused`);
      }
      if (entry.isEncrypted()) throw new PackageRejectedError(`The archive entry "${name}" is encrypted`);
      const path = join(target, name);
      if (isDir) {
        await mkdir(path, { recursive: true });
        continue;
      }
      budget.add(name, entry.uncompressedSize);
      await mkdir(dirname(path), { recursive: true });
      await writeEntry(zip, entry, name, path, mode & 0o111 ? 0o755 : 0o644);
    }
  } catch (error) {
    if (error instanceof PackageRejectedError) throw error;
    throw new PackageRejectedError(`The zip archive could not be unpacked (${(error as Error).message})`);
  } finally {
    zip.close();
  }
}

async function writeEntry(zip: yauzl.ZipFile, entry: Entry, name: string, path: string, mode: number): Promise<void> {
  const source = await zip.openReadStreamPromise(entry);
  let written = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      written += chunk.length;
      if (written > entry.uncompressedSize)
        return callback(new PackageRejectedError(`The archive entry "${name}" is larger than it declares`));
      callback(null, chunk);
    },
  });
  await pipeline(source, limit, createWriteStream(path, { flags: 'wx', mode }));
}
