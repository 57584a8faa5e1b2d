import type { PlaybackCapabilities } from '@marquee/contracts';

/** What a plain browser `<video>`/`<audio>` element plays, assumed for whatever a client does not declare. */
export const BROWSER_CAPABILITIES = {
  containers: ['mp4', 'webm', 'mp3', 'flac', 'ogg'],
  videoCodecs: ['h264', 'vp9', 'av1'],
  audioCodecs: ['aac', 'mp3', 'opus', 'flac'],
} as const;

export interface ResolvedCapabilities {
  containers: ReadonlySet<string>;
  videoCodecs: ReadonlySet<string>;
  audioCodecs: ReadonlySet<string>;
  maxHeight: number | null;
  maxBitrate: number | null;
}

// One name per container family: an .m4a is MP4, an .opus file is Ogg, Matroska is mkv however it is spelt.
const CONTAINER_ALIASES: Record<string, string> = {
  m4v: 'mp4',
  m4a: 'mp4',
  m4b: 'mp4',
  matroska: 'mkv',
  mka: 'mkv',
  mk3d: 'mkv',
  ogv: 'ogg',
  oga: 'ogg',
  opus: 'ogg',
  mpegts: 'ts',
  m2ts: 'ts',
  mts: 'ts',
  mpeg: 'mpg',
  quicktime: 'mov',
  aif: 'aiff',
};

// ffprobe's codec names, and the other names clients use for them (RFC 6381 sample entries, marketing names).
const CODEC_ALIASES: Record<string, string> = {
  avc: 'h264',
  avc1: 'h264',
  avc3: 'h264',
  'h.264': 'h264',
  x264: 'h264',
  h265: 'hevc',
  'h.265': 'hevc',
  hvc1: 'hevc',
  hev1: 'hevc',
  x265: 'hevc',
  av01: 'av1',
  vp09: 'vp9',
  vp08: 'vp8',
  mp4a: 'aac',
  'mp4a.40.2': 'aac',
  'mp4a.40.5': 'aac',
  'mp4a.69': 'mp3',
  'mp4a.6b': 'mp3',
  mpga: 'mp3',
  'ac-3': 'ac3',
  'ec-3': 'eac3',
  'e-ac-3': 'eac3',
  dca: 'dts',
  fLaC: 'flac',
  Opus: 'opus',
};

export function normalizeContainer(name: string): string {
  const lower = name.trim().toLowerCase();
  return CONTAINER_ALIASES[lower] ?? lower;
}

export function normalizeCodec(name: string): string {
  const trimmed = name.trim();
  return CODEC_ALIASES[trimmed] ?? CODEC_ALIASES[trimmed.toLowerCase()] ?? trimmed.toLowerCase();
}

/** The declared capabilities, normalized, with the browser defaults for every list left out. */
export function resolveCapabilities(declared: PlaybackCapabilities = {}): ResolvedCapabilities {
  return {
    containers: new Set((declared.containers ?? BROWSER_CAPABILITIES.containers).map(normalizeContainer)),
    videoCodecs: new Set((declared.videoCodecs ?? BROWSER_CAPABILITIES.videoCodecs).map(normalizeCodec)),
    audioCodecs: new Set((declared.audioCodecs ?? BROWSER_CAPABILITIES.audioCodecs).map(normalizeCodec)),
    maxHeight: declared.maxHeight ?? null,
    maxBitrate: declared.maxBitrate ?? null,
  };
}
