import { BadRequestException, Injectable, NotFoundException, type PipeTransform } from '@nestjs/common';
import { HLS_RENDITIONS, type HlsRendition, isHlsRendition } from '@marquee/contracts';

/** Segment numbers as URLs name them: decimal, no sign, no leading zero, at most 7 digits. */
const SEGMENT_NAME = /^(0|[1-9]\d{0,6})\.ts$/;
const AUDIO_INDEX = /^(0|[1-9]\d{0,3})$/;

const shown = (value: unknown) => JSON.stringify(String(value).slice(0, 40));

/** A rendition from the allowlist, or 404. */
export function parseRendition(value: unknown): HlsRendition {
  if (!isHlsRendition(value))
    throw new NotFoundException(`Unknown rendition ${shown(value)}; renditions are named ${HLS_RENDITIONS.join(', ')}`);
  return value;
}

/** `12.ts` → 12, anything else 404. */
export function parseSegmentName(value: unknown): number {
  const match = typeof value === 'string' ? SEGMENT_NAME.exec(value) : null;
  if (!match) throw new NotFoundException(`${shown(value)} is not a segment of this playlist`);
  return Number(match[1]);
}

/** The `?audio=` source stream index: a small decimal integer (whether it is an audio stream of the item is checked against the catalogue). */
export function parseAudioIndex(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !AUDIO_INDEX.test(value))
    throw new BadRequestException(`audio must be a stream index (0–9999), not ${shown(value)}`);
  return Number(value);
}

@Injectable()
export class RenditionPipe implements PipeTransform<unknown, HlsRendition> {
  transform(value: unknown): HlsRendition {
    return parseRendition(value);
  }
}
