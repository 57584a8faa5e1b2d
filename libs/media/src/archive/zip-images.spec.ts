import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeZip } from '../../../../test/helpers/media-fixtures.js';
import { listZipImages, openZipEntry, readZipEntry } from './zip-images.js';

let dir: string;
let gallery: string;
const openDescriptors = () => readdirSync('/proc/self/fd').length;
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marquee-zip-'));
  gallery = join(dir, 'gallery.cbz');
  await makeZip(gallery, {
    '10.jpg': 'ten',
    '2.jpg': 'two',
    '1.JPG': 'one',
    'extra/1.png': 'png in a folder',
    'notes.txt': 'not an image',
    '__MACOSX/._2.jpg': 'resource fork',
    '.hidden.jpg': 'hidden',
    'extra/.thumbs/x.jpg': 'hidden folder',
    '../evil.jpg': 'escapes the archive',
    '/abs.jpg': 'absolute',
    'big.webp': Buffer.alloc(1024 * 1024),
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('listZipImages', () => {
  it('lists images in natural order, leaving out everything else', async () => {
    expect(await listZipImages(gallery)).toEqual([
      { name: '1.JPG', size: 3, compressedSize: expect.any(Number) },
      { name: '2.jpg', size: 3, compressedSize: expect.any(Number) },
      { name: '10.jpg', size: 3, compressedSize: expect.any(Number) },
      { name: 'big.webp', size: 1024 * 1024, compressedSize: expect.any(Number) },
      { name: 'extra/1.png', size: 15, compressedSize: expect.any(Number) },
    ]);
    const [big] = (await listZipImages(gallery)).filter((e) => e.name === 'big.webp');
    expect(big.compressedSize).toBeLessThan(10_000);
  });

  it('lists a name the archive holds twice once, and reads the first of them', async () => {
    const twice = join(dir, 'twice.cbz');
    await makeZip(twice, { 'p-1.jpg': 'first', 'p-2.jpg': 'second' });
    // Rename the second entry to the first one's name, in its local header and in the central directory.
    const bytes = await readFile(twice);
    for (let at = bytes.indexOf('p-2.jpg'); at !== -1; at = bytes.indexOf('p-2.jpg', at + 1)) bytes.write('p-1.jpg', at);
    await writeFile(twice, bytes);
    expect((await listZipImages(twice)).map((entry) => entry.name)).toEqual(['p-1.jpg']);
    expect(await readZipEntry(twice, 'p-1.jpg', 100)).toEqual(Buffer.from('first'));
  });

  it('rejects a corrupt archive clearly', async () => {
    const corrupt = join(dir, 'corrupt.zip');
    await writeFile(corrupt, Buffer.from('PK\u0003\u0004 this is not really a zip file at all, just text'));
    await expect(listZipImages(corrupt)).rejects.toThrow(
      `could not read the zip archive ${corrupt}: End of central directory record signature not found. Either not a zip file, or file is truncated.`,
    );
    const truncated = join(dir, 'truncated.zip');
    await writeFile(truncated, (await readFile(gallery)).subarray(0, 2000));
    await expect(listZipImages(truncated)).rejects.toThrow(new RegExp(`^could not read the zip archive ${truncated}: `));
    await expect(listZipImages(join(dir, 'missing.zip'))).rejects.toThrow(/ENOENT/);
  });

  it('closes the archive after listing', async () => {
    const before = openDescriptors();
    for (let i = 0; i < 5; i++) await listZipImages(gallery);
    await settle();
    expect(openDescriptors()).toBe(before);
  });
});

describe('openZipEntry / readZipEntry', () => {
  it('streams one entry and closes the archive when the stream ends', async () => {
    const before = openDescriptors();
    const chunks: Buffer[] = [];
    for await (const chunk of await openZipEntry(gallery, 'extra/1.png')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('png in a folder');
    expect(await readZipEntry(gallery, '2.jpg', 100)).toEqual(Buffer.from('two'));
    await settle();
    expect(openDescriptors()).toBe(before);
  });

  it('closes the archive when the stream is destroyed half-way', async () => {
    const before = openDescriptors();
    const stream = await openZipEntry(gallery, 'big.webp');
    await new Promise((resolve) => stream.once('data', resolve));
    stream.destroy();
    await settle();
    expect(openDescriptors()).toBe(before);
  });

  it('refuses an entry larger than maxBytes (zip bomb guard)', async () => {
    await expect(openZipEntry(gallery, 'big.webp', { maxBytes: 1000 })).rejects.toThrow(
      `"big.webp" in ${gallery} is larger than 1000 bytes uncompressed`,
    );
    await expect(readZipEntry(gallery, 'big.webp', 1024 * 1024 - 1)).rejects.toThrow('is larger than 1048575 bytes uncompressed');
    expect((await readZipEntry(gallery, 'big.webp', 1024 * 1024)).length).toBe(1024 * 1024);
  });

  it('stops an entry whose header understates its size', async () => {
    const liar = join(dir, 'liar.zip');
    await makeZip(liar, { 'bomb.png': Buffer.alloc(1024 * 1024) });
    const archive = await readFile(liar);
    // Declare 500 bytes uncompressed in the local header (offset 22) and the central directory (offset 24).
    archive.writeUInt32LE(500, 22);
    archive.writeUInt32LE(500, archive.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24);
    await writeFile(liar, archive);

    expect(await listZipImages(liar)).toEqual([{ name: 'bomb.png', size: 500, compressedSize: expect.any(Number) }]);
    await expect(readZipEntry(liar, 'bomb.png', 1000)).rejects.toThrow(
      new RegExp(`^could not read "bomb.png" from ${liar}: too many bytes in the stream. expected 500. got at least \\d+$`),
    );
  });

  it('refuses unsafe names and reports a missing entry', async () => {
    await expect(openZipEntry(gallery, '../evil.jpg')).rejects.toThrow(
      `refusing to read "../evil.jpg" from ${gallery}: the name is absolute or leaves the archive`,
    );
    await expect(openZipEntry(gallery, '/abs.jpg')).rejects.toThrow('refusing to read "/abs.jpg"');
    await expect(openZipEntry(gallery, 'nope.jpg')).rejects.toThrow(`no entry "nope.jpg" in ${gallery}`);
  });
});
