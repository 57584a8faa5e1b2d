import { extname } from 'node:path';
import { MediaProbeError } from './media-probe-error.js';

export type ProbeStreamType = 'video' | 'audio' | 'subtitle' | 'attachment' | 'data';
export type HdrFormat = 'hdr10' | 'hdr10+' | 'hlg' | 'dolby-vision';

export interface ProbeStream {
  index: number;
  type: ProbeStreamType;
  codec: string | null;
  profile: string | null;
  language: string | null;
  title: string | null;
  width: number | null;
  height: number | null;
  frameRate: number | null;
  bitrate: number | null;
  bitDepth: number | null;
  sampleRate: number | null;
  channels: number | null;
  channelLayout: string | null;
  hdr: HdrFormat | null;
  /** Video: how far the picture is turned clockwise for display (0, 90, 180, 270), from the display matrix or the rotate tag. */
  rotation: number | null;
  /** Video: the width of a pixel relative to its height when not square (anamorphic DVD: 64:45 → 1.422); null when square. */
  sampleAspectRatio: number | null;
  /** Video: coded as fields (interlaced), to be deinterlaced when transcoded. */
  interlaced: boolean;
  isDefault: boolean;
  isForced: boolean;
}

export interface ProbeResult {
  /** Short container name: mkv, webm, mp4, m4a, mov, flac, mp3, ogg, opus, wav, avi, ts… */
  container: string | null;
  durationMs: number | null;
  bitrate: number | null;
  size: number | null;
  streams: ProbeStream[];
  /** Container tags with lower-cased keys (ffprobe reports TITLE or title depending on the format). */
  tags: Record<string, string>;
}

type Json = Record<string, unknown>;

/**
 * Turns `ffprobe -print_format json -show_format -show_streams` output into a ProbeResult. Pure: it
 * validates shapes but not playability (see probeFile for that).
 */
export function normalizeProbe(json: unknown, fileName: string): ProbeResult {
  if (!isObject(json)) throw new MediaProbeError(`ffprobe output for ${fileName} is not a JSON object`);
  const format = isObject(json.format) ? json.format : {};
  const rawStreams = Array.isArray(json.streams) ? json.streams.filter(isObject) : [];
  const streams = rawStreams.map(normalizeStream);
  return {
    container: containerName(text(format.format_name), fileName, tagsOf(format)['major_brand'] ?? null),
    durationMs: seconds(format.duration) ?? longestStream(rawStreams),
    bitrate: integer(format.bit_rate),
    size: integer(format.size),
    streams,
    tags: tagsOf(format),
  };
}

function normalizeStream(stream: Json): ProbeStream {
  const tags = tagsOf(stream);
  const disposition = isObject(stream.disposition) ? stream.disposition : {};
  const type = streamType(text(stream.codec_type), disposition.attached_pic === 1);
  const language = tags['language'] ?? null;
  return {
    index: integer(stream.index) ?? 0,
    type,
    codec: text(stream.codec_name),
    profile: text(stream.profile),
    language: language && language.toLowerCase() !== 'und' ? language : null,
    title: tags['title'] ?? null,
    width: positive(stream.width),
    height: positive(stream.height),
    frameRate: type === 'video' ? (rational(stream.avg_frame_rate) ?? rational(stream.r_frame_rate)) : null,
    // Matroska keeps per-stream bitrates in mkvmerge's statistics tags.
    bitrate: positive(stream.bit_rate) ?? positive(tags['bps']) ?? positive(tags['bps-eng']),
    bitDepth: bitDepth(stream, type),
    sampleRate: positive(stream.sample_rate),
    channels: positive(stream.channels),
    channelLayout: text(stream.channel_layout),
    hdr: type === 'video' ? hdrFormat(stream) : null,
    rotation: type === 'video' ? rotation(stream, tags) : null,
    sampleAspectRatio: type === 'video' ? pixelAspect(stream.sample_aspect_ratio) : null,
    interlaced: type === 'video' && INTERLACED_FIELD_ORDERS.has(text(stream.field_order) ?? ''),
    isDefault: disposition.default === 1,
    isForced: disposition.forced === 1,
  };
}

function streamType(codecType: string | null, attachedPicture: boolean): ProbeStreamType {
  if (codecType === 'video') return attachedPicture ? 'attachment' : 'video';
  if (codecType === 'audio' || codecType === 'subtitle' || codecType === 'attachment') return codecType;
  return 'data';
}

function bitDepth(stream: Json, type: ProbeStreamType): number | null {
  const declared = positive(stream.bits_per_raw_sample) ?? positive(stream.bits_per_sample);
  if (declared !== null || type !== 'video') return declared;
  return pixelFormatDepth(text(stream.pix_fmt));
}

const EIGHT_BIT_PIXEL_FORMATS = /^(yuvj?4[240][0-4]p|yuva4[240][04]p|nv1[26]|nv2[14]|yuyv422|uyvy422|rgb24|bgr24|[argb0]{4}|gray|pal8)$/;

/** yuv420p10le → 10, p010le → 10, gray12le → 12, yuv420p → 8; null when unknown. */
function pixelFormatDepth(pixFmt: string | null): number | null {
  if (!pixFmt) return null;
  const planar = /(?:p|gray)(\d{1,2})(?:le|be)$/.exec(pixFmt) ?? /^p0(\d\d)(?:le|be)?$/.exec(pixFmt);
  if (planar) return Number(planar[1]);
  return EIGHT_BIT_PIXEL_FORMATS.test(pixFmt) ? 8 : null;
}

function hdrFormat(stream: Json): HdrFormat | null {
  const sideData = (Array.isArray(stream.side_data_list) ? stream.side_data_list.filter(isObject) : []).map(
    (entry) => text(entry.side_data_type) ?? '',
  );
  const codecTag = text(stream.codec_tag_string) ?? '';
  if (sideData.some((type) => /DOVI|Dolby Vision/i.test(type)) || /^dv(h[1e]|a[1v])$/.test(codecTag)) return 'dolby-vision';
  const transfer = text(stream.color_transfer);
  if (transfer === 'smpte2084') return sideData.some((type) => /HDR10\+|2094-40/i.test(type)) ? 'hdr10+' : 'hdr10';
  if (transfer === 'arib-std-b67') return 'hlg';
  return null;
}

const INTERLACED_FIELD_ORDERS = new Set(['tt', 'bb', 'tb', 'bt']);

/**
 * Clockwise display rotation, a multiple of 90. ffprobe reports the display matrix's rotation
 * counter-clockwise (-90 for a phone held upright); older files carry a clockwise `rotate` tag.
 */
function rotation(stream: Json, tags: Record<string, string>): number {
  const matrix = (Array.isArray(stream.side_data_list) ? stream.side_data_list.filter(isObject) : []).find(
    (entry) => entry.side_data_type === 'Display Matrix' && typeof entry.rotation === 'number',
  );
  const clockwise = matrix ? -(matrix.rotation as number) : Number(tags['rotate'] ?? 0);
  if (!Number.isFinite(clockwise)) return 0;
  return (((Math.round(clockwise / 90) * 90) % 360) + 360) % 360;
}

/** "64:45" → 1.422; square ("1:1"), unknown ("0:1") or absurd ratios → null. */
function pixelAspect(value: unknown): number | null {
  const match = typeof value === 'string' ? /^(\d+):(\d+)$/.exec(value) : null;
  if (!match || Number(match[1]) === 0 || Number(match[2]) === 0) return null;
  const ratio = Number(match[1]) / Number(match[2]);
  if (ratio === 1 || ratio < 0.1 || ratio > 10) return null;
  return Math.round(ratio * 10_000) / 10_000;
}

// format_name is a comma-separated list of demuxer aliases; the extension and the MP4 brand tell which one it is.
function containerName(formatName: string | null, fileName: string, majorBrand: string | null): string | null {
  const extension = extname(fileName).slice(1).toLowerCase();
  if (!formatName) return extension || null;
  const names = formatName.split(',');
  if (names.includes('matroska')) return extension === 'webm' ? 'webm' : 'mkv';
  if (names.includes('mov')) {
    if (['mp4', 'm4a', 'm4b', 'm4v', 'mov', '3gp', '3g2'].includes(extension)) return extension === 'm4b' ? 'm4a' : extension;
    return majorBrand?.trim() === 'qt' ? 'mov' : 'mp4';
  }
  if (names.includes('ogg')) return extension === 'opus' ? 'opus' : 'ogg';
  if (names.includes('asf')) return ['wmv', 'wma'].includes(extension) ? extension : 'asf';
  const aliases: Record<string, string> = { mpegts: 'ts', mpeg: 'mpg', mpegvideo: 'mpg', aiff: 'aiff', wv: 'wv', ape: 'ape' };
  return aliases[names[0]] ?? names[0];
}

function longestStream(streams: Json[]): number | null {
  const durations = streams
    .map((stream) => seconds(stream.duration) ?? clockDuration(tagsOf(stream)['duration']))
    .filter((d) => d !== null);
  return durations.length ? Math.max(...durations) : null;
}

/** "00:01:02.500000000" (Matroska's DURATION tag) → 62500 ms. */
function clockDuration(value: string | undefined): number | null {
  const match = value ? /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value) : null;
  if (!match) return null;
  return Math.round((Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3])) * 1000);
}

function tagsOf(node: Json): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!isObject(node.tags)) return tags;
  for (const [key, value] of Object.entries(node.tags)) {
    const lower = key.toLowerCase();
    if (!(lower in tags) && (typeof value === 'string' || typeof value === 'number')) tags[lower] = String(value);
  }
  return tags;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function integer(value: unknown): number | null {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(number) ? Math.round(number) : null;
}

function positive(value: unknown): number | null {
  const number = integer(value);
  return number !== null && number > 0 ? number : null;
}

function seconds(value: unknown): number | null {
  const number = typeof value === 'string' || typeof value === 'number' ? Number(value) : NaN;
  return Number.isFinite(number) && number >= 0 ? Math.round(number * 1000) : null;
}

/** "24000/1001" → 23.976; "0/0" → null. */
function rational(value: unknown): number | null {
  const match = typeof value === 'string' ? /^(\d+)\/(\d+)$/.exec(value) : null;
  if (!match || Number(match[2]) === 0 || Number(match[1]) === 0) return null;
  return Math.round((Number(match[1]) / Number(match[2])) * 1000) / 1000;
}
