import sharp from 'sharp';

export interface ImageInfo {
  /** Displayed width: EXIF orientation applied, so a portrait photo stored sideways reports portrait. */
  width: number;
  height: number;
  /** sharp's decoder name: jpeg, png, webp, gif, heif, tiff, svg… */
  format: string;
}

/** Dimensions and format from the image header, without decoding pixels. */
export async function imageInfo(input: string | Buffer): Promise<ImageInfo> {
  try {
    // Reading the header decodes no pixels, so the decompression-bomb limit is lifted: a bomb's declared size is worth reporting.
    const metadata = await sharp(input, { limitInputPixels: false }).metadata();
    const width = metadata.autoOrient?.width ?? metadata.width;
    const height = metadata.autoOrient?.height ?? metadata.height;
    if (!width || !height) throw new Error('the header has no dimensions');
    return { width, height, format: metadata.format };
  } catch (error) {
    throw new Error(`could not read the image ${describeImageInput(input)}: ${(error as Error).message}`, { cause: error });
  }
}

function describeImageInput(input: string | Buffer): string {
  return typeof input === 'string' ? input : `(a ${input.length}-byte buffer)`;
}
