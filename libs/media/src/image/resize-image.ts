import sharp from 'sharp';

export interface ResizeImageOptions {
  /** Target width, clamped to 16–4096; never larger than the source. */
  width: number;
  format: 'webp' | 'jpeg' | 'png';
  /** 1–100, for webp and jpeg (default 80). */
  quality?: number;
}

export interface ResizedImage {
  data: Buffer;
  width: number;
  height: number;
  format: string;
}

/**
 * Decompression-bomb guard: a tiny file can declare enormous dimensions and make the decoder allocate
 * gigabytes. 200 megapixels still admits the largest phone and camera photos (16320×12240).
 */
export const MAX_INPUT_PIXELS = 200_000_000;

/**
 * Scales an image down to `width` (keeping its aspect ratio, never enlarging), turned upright by its
 * EXIF orientation, re-encoded without metadata (EXIF, GPS, ICC profile names…: sharp keeps none
 * unless asked).
 */
export async function resizeImage(input: string | Buffer, options: ResizeImageOptions): Promise<ResizedImage> {
  const width = Math.min(4096, Math.max(16, Math.round(options.width)));
  const quality = Math.min(100, Math.max(1, Math.round(options.quality ?? 80)));
  try {
    const { data, info } = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .autoOrient()
      .resize({ width, withoutEnlargement: true })
      .toFormat(options.format, options.format === 'png' ? {} : { quality })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, format: info.format };
  } catch (error) {
    throw new Error(`could not resize the image ${describeImageInput(input)}: ${(error as Error).message}`, { cause: error });
  }
}

function describeImageInput(input: string | Buffer): string {
  return typeof input === 'string' ? input : `(a ${input.length}-byte buffer)`;
}
