import { Injectable } from '@nestjs/common';
import type { ScrapedArtwork } from '@marquee/contracts';
import type { FieldChange } from '@marquee/library';
import { ArtworkService } from '@marquee/library/artwork/artwork.service.js';
import { artworkLock } from '@marquee/library/editing/field-locks.js';
import { SafeHttpClient } from '@marquee/plugins';
import sharp, { type Metadata } from 'sharp';

/** Largest picture downloaded. */
export const SCRAPED_ARTWORK_MAX_BYTES = 20 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 30_000;
/** Decompression-bomb guard, as for uploads. */
const MAX_INPUT_PIXELS = 200_000_000;
const MAX_STORED_WIDTH = 3840;
const QUALITY = 90;

export interface ArtworkImportResult {
  kind: string;
  stored: boolean;
  error?: string;
}

/**
 * Scraped pictures: downloaded through the SSRF-safe client (only from the scraper's permitted
 * hosts, size-limited), fully decoded and re-encoded with sharp (JPEG stays JPEG, anything else
 * becomes WebP; at most 4K wide), then offered to the item as `scraped` artwork, which an
 * `artwork.<kind>` lock or an uploaded picture keeps out.
 */
@Injectable()
export class ScrapedArtworkImporter {
  constructor(
    private readonly http: SafeHttpClient,
    private readonly artwork: ArtworkService,
  ) {}

  async import(
    itemId: string,
    pictures: ScrapedArtwork[],
    allowedHosts: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ results: ArtworkImportResult[]; changes: Record<string, FieldChange> }> {
    const results: ArtworkImportResult[] = [];
    const changes: Record<string, FieldChange> = {};
    for (const picture of pictures) {
      try {
        const before = await this.artwork.get(itemId, picture.kind);
        const response = await this.http.get(picture.url, {
          allowedHosts,
          maxBytes: SCRAPED_ARTWORK_MAX_BYTES,
          timeoutMs: DOWNLOAD_TIMEOUT_MS,
          signal,
        });
        if (response.status !== 200) throw new Error(`the picture answered HTTP ${response.status}`);
        const image = await reencode(response.body);
        const path = await this.artwork.saveOriginal(itemId, picture.kind, image.data, image.ext);
        const stored = await this.artwork.setArtwork({
          itemId,
          kind: picture.kind,
          source: 'scraped',
          path,
          width: image.width,
          height: image.height,
        });
        const after = await this.artwork.get(itemId, picture.kind);
        if (stored && after && after.version !== before?.version)
          changes[artworkLock(picture.kind)] = { before: before?.version ?? null, after: after.version };
        results.push({ kind: picture.kind, stored });
      } catch (error) {
        results.push({ kind: picture.kind, stored: false, error: (error as Error).message });
      }
    }
    return { results, changes };
  }
}

async function reencode(data: Buffer): Promise<{ data: Buffer; ext: 'jpg' | 'webp'; width: number; height: number }> {
  let header: Metadata;
  try {
    // Reads the header only; the decode below is what the pixel limit protects.
    header = await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    throw new Error('the download is not an image');
  }
  const { format, width = 0, height = 0 } = header;
  if (width * height > MAX_INPUT_PIXELS)
    throw new Error(`the picture is ${width}×${height} pixels, more than the ${MAX_INPUT_PIXELS} allowed`);
  const target = format === 'jpeg' ? 'jpeg' : 'webp';
  try {
    const { data: output, info } = await sharp(data, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .autoOrient()
      .resize({ width: MAX_STORED_WIDTH, withoutEnlargement: true })
      .toFormat(target, { quality: QUALITY })
      .toBuffer({ resolveWithObject: true });
    return { data: output, ext: target === 'jpeg' ? 'jpg' : 'webp', width: info.width, height: info.height };
  } catch (error) {
    throw new Error(`the picture cannot be decoded (${(error as Error).message})`);
  }
}
