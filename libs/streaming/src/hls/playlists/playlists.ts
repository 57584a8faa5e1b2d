import { SEGMENT_SECONDS } from '../hls.constants.js';
import { AAC_CODEC, h264Codec } from '../planning/codecs.js';
import { AUDIO_KBPS, type Rendition } from '../planning/ladder.js';
import { type SegmentPlan, targetDuration } from '../planning/segment-plan.js';

/** Floating-point EXTINF durations need protocol version 3; nothing else used here needs more. */
const HLS_VERSION = 3;
/**
 * MPEG-TS costs: 4 header bytes per 188-byte packet, PES headers, the padding of each frame's last
 * packet and the PAT/PMT/PCR tables.
 */
const TS_OVERHEAD = 1.1;
const TS_FIXED_OVERHEAD_BPS = 32_000;
/**
 * The encoder's buffer holds one second at the peak rate (`-bufsize` = `-maxrate`), so a segment
 * of L seconds carries at most (L + 1) seconds' worth of bits at that rate.
 */
const VBV_SECONDS = 1;

/** BANDWIDTH: the peak bit rate of any segment of the rendition, container included. */
export function peakBandwidth(rendition: Rendition, segmentSeconds = SEGMENT_SECONDS): number {
  const audioBps = rendition.kind === 'audio' || rendition.withAudio ? AUDIO_KBPS * 1000 : 0;
  const videoBps = rendition.kind === 'video' ? (rendition.maxKbps * 1000 * (segmentSeconds + VBV_SECONDS)) / segmentSeconds : 0;
  return Math.ceil((videoBps + audioBps) * TS_OVERHEAD + TS_FIXED_OVERHEAD_BPS);
}

export function codecsOf(rendition: Rendition): string {
  if (rendition.kind === 'audio') return AAC_CODEC;
  return rendition.withAudio ? `${h264Codec(rendition.level)},${AAC_CODEC}` : h264Codec(rendition.level);
}

/**
 * The master playlist: one variant per rendition, best first. `query` is appended to every URI
 * (the audio choice and the caller's `?st=` token) so players without headers can follow them.
 */
export function masterPlaylist(ladder: Rendition[], query: string): string {
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${HLS_VERSION}`, '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const rendition of ladder) {
    const attributes = [`BANDWIDTH=${peakBandwidth(rendition)}`];
    if (rendition.kind === 'video') {
      attributes.push(`RESOLUTION=${rendition.width}x${rendition.height}`);
      if (rendition.frameRate) attributes.push(`FRAME-RATE=${rendition.frameRate.toFixed(3)}`);
    }
    attributes.push(`CODECS="${codecsOf(rendition)}"`);
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, `${rendition.name}/index.m3u8${query}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A complete VOD media playlist, the same on every fetch: known before a single segment exists. */
export function mediaPlaylist(plan: SegmentPlan, query: string): string {
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${HLS_VERSION}`,
    `#EXT-X-TARGETDURATION:${targetDuration(plan)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  plan.durationsMs.forEach((ms, index) => lines.push(`#EXTINF:${(ms / 1000).toFixed(3)},`, `${index}.ts${query}`));
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** `?audio=2&st=…` from the parts present, or ''. */
export function childQuery(parts: { audio?: number; st?: string }): string {
  const params = new URLSearchParams();
  if (parts.audio !== undefined) params.set('audio', String(parts.audio));
  if (parts.st) params.set('st', parts.st);
  const text = params.toString();
  return text ? `?${text}` : '';
}
