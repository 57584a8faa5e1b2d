import { extname } from 'node:path';

export type FileCategory = 'video' | 'audio' | 'image';

/** By container (as the probe names it) or file extension; `[video, audio]` where one name holds either. */
const TYPES: Record<string, string | [video: string, audio: string]> = {
  mkv: ['video/x-matroska', 'audio/x-matroska'],
  mk3d: 'video/x-matroska',
  mka: 'audio/x-matroska',
  webm: ['video/webm', 'audio/webm'],
  mp4: ['video/mp4', 'audio/mp4'],
  m4v: 'video/mp4',
  m4a: 'audio/mp4',
  m4b: 'audio/mp4',
  mov: 'video/quicktime',
  avi: 'video/x-msvideo',
  ts: 'video/mp2t',
  m2ts: 'video/mp2t',
  mts: 'video/mp2t',
  mpg: 'video/mpeg',
  mpeg: 'video/mpeg',
  '3gp': ['video/3gpp', 'audio/3gpp'],
  '3g2': ['video/3gpp2', 'audio/3gpp2'],
  wmv: 'video/x-ms-wmv',
  asf: 'video/x-ms-asf',
  flv: 'video/x-flv',
  ogv: 'video/ogg',
  ogg: ['video/ogg', 'audio/ogg'],
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  wav: 'audio/wav',
  aac: 'audio/aac',
  aiff: 'audio/aiff',
  aif: 'audio/aiff',
  wma: 'audio/x-ms-wma',
  wv: 'audio/wavpack',
  ape: 'audio/x-ape',
  dsf: 'audio/x-dsf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  heic: 'image/heic',
  heif: 'image/heif',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  jxl: 'image/jxl',
};

const FALLBACK = 'application/octet-stream';

/**
 * The Content-Type of a media file: from its probed container first (a `.mp4` that is really
 * Matroska is served as Matroska), then its extension; audio-only files in a container that holds
 * either get the audio type.
 */
export function contentTypeFor(file: { container: string | null; path: string; category: FileCategory }): string {
  const extension = extname(file.path).slice(1).toLowerCase();
  for (const key of [file.container?.toLowerCase(), extension]) {
    const type = key ? TYPES[key] : undefined;
    if (typeof type === 'string') return type;
    if (type) return file.category === 'audio' ? type[1] : type[0];
  }
  return FALLBACK;
}
