import type { HlsRendition } from '@marquee/contracts';
import { type ToneMapping, toneMappingFor } from '@marquee/media';
import { h264Level } from './codecs.js';

export type VideoRenditionName = Exclude<HlsRendition, 'audio'>;

interface VideoBox {
  name: VideoRenditionName;
  width: number;
  height: number;
  /** Peak video bitrate for a picture filling the whole box. */
  maxKbps: number;
}

/** Largest first. A rendition is a box the picture is fitted into; it is never enlarged. */
const VIDEO_BOXES: readonly VideoBox[] = [
  { name: '1080p', width: 1920, height: 1080, maxKbps: 6000 },
  { name: '720p', width: 1280, height: 720, maxKbps: 3000 },
  { name: '480p', width: 854, height: 480, maxKbps: 1500 },
  { name: '360p', width: 640, height: 360, maxKbps: 800 },
  { name: '240p', width: 426, height: 240, maxKbps: 400 },
];

/** The top rendition and at most this many below it. */
const MAX_VIDEO_RENDITIONS = 3;
export const AUDIO_KBPS = 128;
export const AUDIO_SAMPLE_RATE = 48_000;
/** Frame rate assumed for the H.264 level when the probe did not report one. */
const DEFAULT_FRAME_RATE = 30;
/** A picture smaller than its box still needs some bitrate: the share of the box's never goes below this. */
const MIN_BITRATE_SHARE = 0.25;

export interface SourceVideo {
  /** The coded picture. */
  width: number;
  height: number;
  frameRate: number | null;
  /** Clockwise display rotation (0, 90, 180, 270); ffmpeg turns the picture upright before scaling it. */
  rotation?: number | null;
  /** Pixel width ÷ height when not square. */
  sampleAspectRatio?: number | null;
  interlaced?: boolean;
  /** The probe's HDR format ("hdr10", "hdr10+", "hlg", "dolby-vision"), null for SDR. */
  hdr?: string | null;
}

export interface VideoRendition {
  kind: 'video';
  name: VideoRenditionName;
  width: number;
  height: number;
  /** The source's frame rate (never changed), when known. */
  frameRate: number | null;
  maxKbps: number;
  /** H.264 level × 10 (31 = 3.1). */
  level: number;
  withAudio: boolean;
  /** The source is interlaced: its fields are made into frames before scaling. */
  deinterlace: boolean;
  /** The source is HDR: it is tone-mapped to SDR BT.709, what H.264 8-bit players expect. */
  toneMap: ToneMapping | null;
}

export interface AudioRendition {
  kind: 'audio';
  name: 'audio';
}

export type Rendition = VideoRendition | AudioRendition;

const even = (value: number) => Math.max(2, 2 * Math.round(value / 2));

/** The picture as it is shown: square pixels, upright. */
export function displaySize(video: SourceVideo): { width: number; height: number } {
  const sar = video.sampleAspectRatio && video.sampleAspectRatio > 0 ? video.sampleAspectRatio : 1;
  const width = Math.round(video.width * sar);
  const turned = video.rotation === 90 || video.rotation === 270;
  return turned ? { width: video.height, height: width } : { width, height: video.height };
}

/**
 * The renditions of a source, best first: the smallest box that holds the whole picture (capped at
 * 1080p) and the boxes below it, each picture fitted into its box without ever being enlarged, then
 * audio alone. A source smaller than every box gets one rendition at its own size. The picture is
 * the one shown: square pixels, upright (a portrait phone video fits its boxes by its height).
 */
export function renditionLadder(source: SourceVideo | null, hasAudio: boolean): Rendition[] {
  const ladder: Rendition[] = [];
  if (source && source.width > 0 && source.height > 0) {
    const video = { ...displaySize(source), frameRate: source.frameRate };
    // A box is a landscape frame; a portrait picture is fitted to the same box turned upright.
    const portrait = video.height > video.width;
    const boxes = VIDEO_BOXES.map((box) => (portrait ? { ...box, width: box.height, height: box.width } : box));
    let top = boxes.findLastIndex((box) => video.width <= box.width && video.height <= box.height);
    if (top === -1) top = 0;
    const seen = new Set<string>();
    for (const box of boxes.slice(top, top + MAX_VIDEO_RENDITIONS)) {
      const scale = Math.min(1, box.width / video.width, box.height / video.height);
      const width = even(video.width * scale);
      const height = even(video.height * scale);
      if (seen.has(`${width}x${height}`)) continue;
      seen.add(`${width}x${height}`);
      const share = Math.max(MIN_BITRATE_SHARE, Math.min(1, (width * height) / (box.width * box.height)));
      ladder.push({
        kind: 'video',
        name: box.name,
        width,
        height,
        frameRate: video.frameRate && video.frameRate > 0 ? video.frameRate : null,
        maxKbps: Math.round(box.maxKbps * share),
        level: h264Level(width, height, video.frameRate || DEFAULT_FRAME_RATE),
        withAudio: hasAudio,
        deinterlace: source.interlaced === true,
        toneMap: toneMappingFor(source.hdr),
      });
    }
  }
  if (hasAudio) ladder.push({ kind: 'audio', name: 'audio' });
  return ladder;
}
