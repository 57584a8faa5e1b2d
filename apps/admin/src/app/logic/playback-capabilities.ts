import type { PlaybackCapabilities } from '@marquee/contracts';

/** How the browser answers `canPlayType`/`MediaSource.isTypeSupported` for a MIME type with codecs. */
export type CanPlay = (mime: string) => boolean;

const CONTAINERS: Record<string, string> = {
  mp4: 'video/mp4',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
};

const VIDEO_CODECS: Record<string, string> = {
  h264: 'video/mp4; codecs="avc1.640028"',
  hevc: 'video/mp4; codecs="hvc1.1.6.L120.90"',
  vp9: 'video/webm; codecs="vp9"',
  av1: 'video/mp4; codecs="av01.0.08M.08"',
};

const AUDIO_CODECS: Record<string, string> = {
  aac: 'audio/mp4; codecs="mp4a.40.2"',
  mp3: 'audio/mpeg',
  opus: 'audio/webm; codecs="opus"',
  flac: 'audio/flac',
  vorbis: 'audio/ogg; codecs="vorbis"',
};

const supported = (table: Record<string, string>, canPlay: CanPlay) =>
  Object.entries(table)
    .filter(([, mime]) => canPlay(mime))
    .map(([name]) => name);

/** What this browser plays directly, to declare in `GET items/:id/playback` (the server decides direct or HLS). */
export function playbackCapabilities(canPlay: CanPlay, maxHeight?: number): PlaybackCapabilities {
  const capabilities: PlaybackCapabilities = {
    containers: supported(CONTAINERS, canPlay),
    videoCodecs: supported(VIDEO_CODECS, canPlay),
    audioCodecs: supported(AUDIO_CODECS, canPlay),
  };
  if (maxHeight) capabilities.maxHeight = maxHeight;
  return capabilities;
}

/** The capabilities as the playback route's query (comma lists). */
export function capabilitiesQuery(capabilities: PlaybackCapabilities): Record<string, string | number> {
  const query: Record<string, string | number> = {};
  if (capabilities.containers?.length) query['containers'] = capabilities.containers.join(',');
  if (capabilities.videoCodecs?.length) query['videoCodecs'] = capabilities.videoCodecs.join(',');
  if (capabilities.audioCodecs?.length) query['audioCodecs'] = capabilities.audioCodecs.join(',');
  if (capabilities.maxHeight) query['maxHeight'] = capabilities.maxHeight;
  if (capabilities.maxBitrate) query['maxBitrate'] = capabilities.maxBitrate;
  return query;
}
