import type { PlaybackMethod } from '@marquee/contracts';
import { normalizeCodec, normalizeContainer, type ResolvedCapabilities } from './capabilities.js';

/** What the decision needs to know of the file to play (from media_files and media_streams). */
export interface MediaProfile {
  category: 'video' | 'audio' | 'image';
  /** The probed container, else the file's extension; null when neither says. */
  container: string | null;
  video: { codec: string | null; width: number | null; height: number | null } | null;
  /** The audio stream that will be heard. */
  audio: { streamIndex: number; codec: string | null } | null;
  /** Whether that audio stream is not the one a player picks by itself (the default, else the first). */
  audioIsNotDefault: boolean;
  /** Bits per second of the whole file. */
  bitrate: number | null;
  /** Files the item is played from: a film in parts asked for whole (no `part`) has more than one. */
  parts?: number;
}

export interface PlaybackDecision {
  method: PlaybackMethod;
  reasons: string[];
}

/**
 * Direct play when the container, the video and audio codecs, the height and the bitrate all fit what
 * the client declared; otherwise HLS, with a reason for every misfit. Images are always direct.
 */
export function decidePlayback(media: MediaProfile, capabilities: ResolvedCapabilities): PlaybackDecision {
  if (media.category === 'image') return { method: 'direct', reasons: ['images are always played directly'] };
  const misfits: string[] = [];
  const fits: string[] = [];

  if (media.container === null) misfits.push('container unknown (the file is not probed yet)');
  else if (!capabilities.containers.has(normalizeContainer(media.container))) misfits.push(`container ${media.container} not supported`);
  else fits.push(`container ${media.container}`);

  if (media.video) {
    const codec = media.video.codec;
    if (codec === null) misfits.push('video codec unknown');
    else if (!capabilities.videoCodecs.has(normalizeCodec(codec))) misfits.push(`video codec ${codec} not supported`);
    else fits.push(`video codec ${codec}`);
    const { width, height } = media.video;
    if (capabilities.maxHeight !== null && height !== null && height > capabilities.maxHeight) {
      misfits.push(`resolution ${width ?? '?'}x${height} above the maximum height ${capabilities.maxHeight}`);
    }
  }

  if (media.audio) {
    const codec = media.audio.codec;
    if (codec === null) misfits.push('audio codec unknown');
    else if (!capabilities.audioCodecs.has(normalizeCodec(codec))) misfits.push(`audio codec ${codec} not supported`);
    else fits.push(`audio codec ${codec}`);
    if (media.audioIsNotDefault) misfits.push(`audio track ${media.audio.streamIndex} is not the file's default track`);
  }

  if (!media.video && !media.audio && media.category === 'video') misfits.push('no probed video or audio stream');

  if (media.parts !== undefined && media.parts > 1) {
    misfits.push(`the film is in ${media.parts} parts, which HLS plays as one (ask for a part to play it directly)`);
  }

  if (capabilities.maxBitrate !== null && media.bitrate !== null && media.bitrate > capabilities.maxBitrate) {
    misfits.push(`bitrate ${media.bitrate} above the maximum ${capabilities.maxBitrate}`);
  }

  if (misfits.length > 0) return { method: 'hls', reasons: misfits };
  return { method: 'direct', reasons: [`${fits.join(', ')} supported`] };
}
