import { extname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

export interface ZipImageEntry {
  name: string;
  size: number;
  compressedSize: number;
}

export interface OpenZipEntryOptions {
  /** Zip-bomb guard: the stream fails once more than this many bytes come out (default 100 MiB). */
  maxBytes?: number;
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.gif', '.webp', '.avif', '.bmp', '.tif', '.tiff', '.heic', '.heif', '.jxl']);
const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;
const naturalOrder = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare;

/**
 * The images of a zip/cbz, in natural order ("2.jpg" before "10.jpg"). Directories, macOS resource
 * forks (__MACOSX), hidden files, encrypted entries and unsafe names (absolute, or with ".."
 * segments) are left out without being read; a name that appears twice counts once.
 */
export async function listZipImages(path: string): Promise<ZipImageEntry[]> {
  const zip = await openZip(path);
  try {
    const images: ZipImageEntry[] = [];
    const seen = new Set<string>();
    for await (const { name, entry } of entries(zip, path)) {
      // A name repeated in the archive is one page: the first entry, the one openZipEntry reads.
      if (seen.has(name) || !isGalleryImage(name, entry)) continue;
      seen.add(name);
      images.push({ name, size: entry.uncompressedSize, compressedSize: entry.compressedSize });
    }
    return images.sort((a, b) => naturalOrder(a.name, b.name) || (a.name < b.name ? -1 : 1));
  } finally {
    zip.close();
  }
}

/**
 * A stream of one entry's uncompressed bytes. It fails when the entry declares or produces more than
 * `maxBytes`; the archive is closed when the stream ends, fails or is destroyed.
 */
export async function openZipEntry(path: string, name: string, options: OpenZipEntryOptions = {}): Promise<Readable> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!isSafeName(name)) throw new Error(`refusing to read "${name}" from ${path}: the name is absolute or leaves the archive`);
  const zip = await openZip(path);
  let source: Readable;
  try {
    const entry = await findEntry(zip, path, name);
    if (entry.uncompressedSize > maxBytes) throw tooLarge(path, name, maxBytes);
    source = await zip.openReadStreamPromise(entry);
  } catch (error) {
    zip.close();
    throw error;
  }
  let produced = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      produced += chunk.length;
      if (produced > maxBytes) return callback(tooLarge(path, name, maxBytes));
      callback(null, chunk);
    },
  });
  source.on('error', (error) => limited.destroy(new Error(`could not read "${name}" from ${path}: ${error.message}`, { cause: error })));
  limited.on('close', () => {
    source.destroy();
    zip.close();
  });
  return source.pipe(limited);
}

/** The whole entry in memory, refusing entries larger than `maxBytes`. */
export async function readZipEntry(path: string, name: string, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await openZipEntry(path, name, { maxBytes })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function openZip(path: string): Promise<ZipFile> {
  try {
    // decodeStrings: false because yauzl would otherwise fail the whole archive on one unsafe name; names are decoded and checked here.
    return await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, decodeStrings: false });
  } catch (error) {
    throw corrupt(path, error);
  }
}

async function* entries(zip: ZipFile, path: string): AsyncGenerator<{ name: string; entry: Entry }> {
  try {
    for await (const entry of zip.eachEntry()) {
      const raw = entry.fileName as unknown as Buffer;
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
      yield { name, entry };
    }
  } catch (error) {
    throw corrupt(path, error);
  }
}

async function findEntry(zip: ZipFile, path: string, name: string): Promise<Entry> {
  for await (const candidate of entries(zip, path)) {
    if (candidate.name === name) return candidate.entry;
  }
  throw new Error(`no entry "${name}" in ${path}`);
}

function isGalleryImage(name: string, entry: Entry): boolean {
  if (name.endsWith('/') || !isSafeName(name) || entry.isEncrypted()) return false;
  const segments = name.split('/');
  if (segments.some((segment) => segment === '__MACOSX' || segment.startsWith('.'))) return false;
  return IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

function isSafeName(name: string): boolean {
  return yauzl.validateFileName(name) === null;
}

function tooLarge(path: string, name: string, maxBytes: number): Error {
  return new Error(`"${name}" in ${path} is larger than ${maxBytes} bytes uncompressed`);
}

function corrupt(path: string, error: unknown): Error {
  return new Error(`could not read the zip archive ${path}: ${(error as Error).message}`, { cause: error });
}
