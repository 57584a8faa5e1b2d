import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeImage, makePngBomb } from '../../../../test/helpers/media-fixtures.js';
import { imageInfo } from './image-info.js';
import { resizeImage } from './resize-image.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marquee-resize-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resizeImage', () => {
  it('scales down to the width, keeping the aspect ratio, as WebP', async () => {
    const source = join(dir, 'wide.png');
    await makeImage(source, { width: 1000, height: 500, format: 'png' });

    const resized = await resizeImage(source, { width: 300, format: 'webp', quality: 70 });

    expect([resized.format, resized.width, resized.height]).toEqual(['webp', 300, 150]);
    expect(resized.data.toString('latin1', 0, 4)).toBe('RIFF');
    expect(resized.data.toString('latin1', 8, 12)).toBe('WEBP');
    const decoded = await sharp(resized.data).metadata();
    expect([decoded.format, decoded.width, decoded.height]).toEqual(['webp', 300, 150]);
  });

  it('never upscales', async () => {
    const source = join(dir, 'small.jpg');
    await makeImage(source, { width: 64, height: 48, format: 'jpeg' });

    const resized = await resizeImage(source, { width: 400, format: 'jpeg' });

    expect([resized.format, resized.width, resized.height]).toEqual(['jpeg', 64, 48]);
  });

  it('clamps the width to 16..4096', async () => {
    const source = await sharp({ create: { width: 5000, height: 10, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    expect((await resizeImage(source, { width: 100_000, format: 'png' })).width).toBe(4096);
    expect((await resizeImage(source, { width: 1, format: 'png' })).width).toBe(16);
  });

  it('turns a photo upright by its EXIF orientation and strips the metadata', async () => {
    // Stored 200×100 with orientation 6 (rotate 90° clockwise to display): it is a portrait photo.
    const stored = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#aa2200' } })
      .jpeg()
      .withMetadata({ orientation: 6, exif: { IFD0: { Copyright: 'Someone' } } })
      .toBuffer();
    expect((await sharp(stored).metadata()).orientation).toBe(6);
    expect(await imageInfo(stored)).toEqual({ width: 100, height: 200, format: 'jpeg' });

    const resized = await resizeImage(stored, { width: 50, format: 'jpeg' });

    expect([resized.width, resized.height]).toEqual([50, 100]);
    const metadata = await sharp(resized.data).metadata();
    expect(metadata.orientation).toBeUndefined();
    expect(metadata.exif).toBeUndefined();
  });

  it('refuses a decompression bomb (a 20000×20000 PNG header) without decoding it', async () => {
    const bomb = join(dir, 'bomb.png');
    await makePngBomb(bomb, 20_000, 20_000);

    expect(await imageInfo(bomb)).toEqual({ width: 20_000, height: 20_000, format: 'png' });
    await expect(resizeImage(bomb, { width: 300, format: 'webp' })).rejects.toThrow(
      `could not resize the image ${bomb}: Input image exceeds pixel limit`,
    );
  });

  it('rejects a corrupt image clearly', async () => {
    const corrupt = join(dir, 'corrupt.jpg');
    await writeFile(corrupt, Buffer.from('this is not an image at all'));
    await expect(resizeImage(corrupt, { width: 300, format: 'webp' })).rejects.toThrow(
      `could not resize the image ${corrupt}: Input file contains unsupported image format`,
    );
    await expect(resizeImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), { width: 300, format: 'webp' })).rejects.toThrow(
      /^could not resize the image \(a 7-byte buffer\): /,
    );
  });
});

describe('imageInfo', () => {
  it('reads dimensions and format from the header', async () => {
    const png = join(dir, 'info.png');
    await makeImage(png, { width: 31, height: 17, format: 'png' });
    const webp = join(dir, 'info.webp');
    await makeImage(webp, { width: 40, height: 30, format: 'webp' });
    expect(await imageInfo(png)).toEqual({ width: 31, height: 17, format: 'png' });
    expect(await imageInfo(webp)).toEqual({ width: 40, height: 30, format: 'webp' });
  });

  it('rejects a corrupt image and a missing file clearly', async () => {
    const corrupt = join(dir, 'corrupt.png');
    await writeFile(corrupt, Buffer.from('garbage garbage garbage'));
    await expect(imageInfo(corrupt)).rejects.toThrow(`could not read the image ${corrupt}: Input file contains unsupported image format`);
    await expect(imageInfo(join(dir, 'missing.png'))).rejects.toThrow(
      `could not read the image ${join(dir, 'missing.png')}: Input file is missing`,
    );
  });
});
