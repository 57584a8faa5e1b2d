/**
 * What an upload may be and where it may go: pure rules, no Nest, no file system. The upload service
 * turns an UploadRejection into the matching problem+json status.
 */

/** Default ceiling of one uploaded file: 20 GiB (a remux of a UHD film fits). */
export const DEFAULT_UPLOAD_MAX_BYTES = 20 * 1024 ** 3;

/** The environment variable that overrides DEFAULT_UPLOAD_MAX_BYTES (a positive integer of bytes). */
export const UPLOAD_MAX_BYTES_ENV = 'MARQUEE_UPLOAD_MAX_BYTES';

/** Bytes of the file read before anything is written: enough for every signature and the text check. */
export const SNIFF_BYTES = 4096;

/** Longest file name kept, in UTF-8 bytes (most file systems allow 255; the temp name needs room). */
export const MAX_FILE_NAME_BYTES = 200;

const MAX_FOLDER_SEGMENTS = 32;
const MAX_FOLDER_LENGTH = 1024;

export type UploadRejectionStatus = 400 | 408 | 409 | 413 | 415;

/** A refused upload: the HTTP status and a detail the caller can act on. */
export class UploadRejection extends Error {
  constructor(
    readonly status: UploadRejectionStatus,
    message: string,
  ) {
    super(message);
    this.name = 'UploadRejection';
  }
}

/** An invalid MARQUEE_UPLOAD_MAX_BYTES. */
export class UploadConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UploadConfigError';
  }
}

/**
 * The size limit of one upload: MARQUEE_UPLOAD_MAX_BYTES when set (a positive integer of bytes, at most
 * 2^53 - 1), else DEFAULT_UPLOAD_MAX_BYTES. Read on every request so that a changed value applies at
 * once; an invalid value throws UploadConfigError naming the variable.
 */
export function uploadMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[UPLOAD_MAX_BYTES_ENV]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_UPLOAD_MAX_BYTES;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1)
    throw new UploadConfigError(`${UPLOAD_MAX_BYTES_ENV} must be a positive integer of bytes (got "${raw}")`);
  return value;
}

/** The environment variable that overrides DEFAULT_UPLOAD_IDLE_SECONDS (a positive integer of seconds). */
export const UPLOAD_IDLE_SECONDS_ENV = 'MARQUEE_UPLOAD_IDLE_SECONDS';
/** An upload that sends nothing for this long is dropped (the server has no whole-request deadline, for big files). */
export const DEFAULT_UPLOAD_IDLE_SECONDS = 60;

/** How long an upload may send nothing before it is dropped with 408: MARQUEE_UPLOAD_IDLE_SECONDS (1 to 3600) or 60 s. */
export function uploadIdleTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[UPLOAD_IDLE_SECONDS_ENV]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_UPLOAD_IDLE_SECONDS * 1000;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 3600)
    throw new UploadConfigError(`${UPLOAD_IDLE_SECONDS_ENV} must be a whole number of seconds from 1 to 3600 (got "${raw}")`);
  return value * 1000;
}

// ---------------------------------------------------------------------------------------------
// File names
// ---------------------------------------------------------------------------------------------

// C0 and C1 control characters, DEL, and the characters Windows, SMB shares and shells choke on.
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME_CHARACTERS = /[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const EDGE_DOTS_AND_SPACES = /^[\s.]+|[\s.]+$/gu;

const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a code point. */
function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = utf8Length(char);
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return out;
}

/** One path segment made safe: NFC, no control or reserved characters, no leading/trailing dots or spaces. */
function sanitizeSegment(raw: string): string {
  return raw.normalize('NFC').replace(UNSAFE_NAME_CHARACTERS, '').replace(EDGE_DOTS_AND_SPACES, '');
}

/**
 * The name an uploaded file is stored under: the last segment of what the client sent (either
 * separator), NFC-normalised, without control characters or `/\:*?"<>|`, without leading or trailing
 * dots and spaces (no hidden files), and at most MAX_FILE_NAME_BYTES of UTF-8 — shortened in the stem
 * so the extension survives. Non-Latin names are kept as they are. Nothing left → 400.
 */
export function safeFileName(raw: string | undefined): string {
  const last = (raw ?? '').split(/[\\/]/).pop() ?? '';
  let name = sanitizeSegment(last);
  if (name === '') throw new UploadRejection(400, `The file name "${raw ?? ''}" has no usable characters`);
  if (utf8Length(name) > MAX_FILE_NAME_BYTES) {
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    const stem = extension ? name.slice(0, dot) : name;
    name = truncateUtf8(stem, MAX_FILE_NAME_BYTES - utf8Length(extension)).replace(EDGE_DOTS_AND_SPACES, '') + extension;
    if (name === extension) throw new UploadRejection(400, `The file name "${raw}" has no usable characters`);
  }
  return name;
}

/** The lower-case extension without its dot; '' when there is none. */
export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
}

// ---------------------------------------------------------------------------------------------
// Target folder
// ---------------------------------------------------------------------------------------------

/**
 * The `folder` field: a relative sub-folder inside a library folder ("Movies/Alien (1979)"), as safe
 * path segments. Refused (400): absolute paths, drive letters, `..` segments, control characters, a
 * segment with nothing usable left, more than 32 levels. Empty or absent: the library folder itself.
 * Each segment is sanitised like a file name ("Alien: Covenant" → "Alien Covenant").
 */
export function parseFolderField(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  if (raw.length > MAX_FOLDER_LENGTH) throw new UploadRejection(400, `"folder" is longer than ${MAX_FOLDER_LENGTH} characters`);
  if (CONTROL_CHARACTERS.test(raw)) throw new UploadRejection(400, '"folder" must not contain control characters');
  const folder = raw.trim();
  if (/^[\\/]/.test(folder) || /^[A-Za-z]:/.test(folder))
    throw new UploadRejection(400, `"folder" must be relative to the library folder (got "${folder}")`);
  const parts = folder.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
  if (parts.some((part) => part.trim() === '..')) throw new UploadRejection(400, `"folder" must not contain ".." (got "${folder}")`);
  if (parts.length > MAX_FOLDER_SEGMENTS) throw new UploadRejection(400, `"folder" is deeper than ${MAX_FOLDER_SEGMENTS} levels`);
  return parts.map((part) => {
    const segment = sanitizeSegment(part);
    if (segment === '') throw new UploadRejection(400, `"folder" has a segment with no usable characters ("${part}")`);
    if (utf8Length(segment) > MAX_FILE_NAME_BYTES)
      throw new UploadRejection(400, `"folder" has a segment longer than ${MAX_FILE_NAME_BYTES} bytes`);
    return segment;
  });
}

/** The `folderIndex` field: which of the library's folders (0 when absent). */
export function parseFolderIndex(raw: string | undefined, folderCount: number): number {
  if (raw === undefined || raw.trim() === '') return 0;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || value >= folderCount)
    throw new UploadRejection(
      400,
      `"folderIndex" must be an integer from 0 to ${folderCount - 1} (the library has ${folderCount} folder${folderCount === 1 ? '' : 's'}; got "${raw}")`,
    );
  return value;
}

// ---------------------------------------------------------------------------------------------
// Types: extension and content
// ---------------------------------------------------------------------------------------------

interface Format {
  label: string;
  matches: (head: Buffer) => boolean;
}

const ascii = (head: Buffer, start: number, end: number) => (head.length >= end ? head.toString('latin1', start, end) : '');
const bytesAt = (head: Buffer, offset: number, bytes: number[]) =>
  head.length >= offset + bytes.length && bytes.every((byte, i) => head[offset + i] === byte);

/** An ID3v2 tag at the start: its total length, else 0. */
function id3Length(head: Buffer): number {
  if (ascii(head, 0, 3) !== 'ID3' || head.length < 10) return 0;
  const size = ((head[6] & 0x7f) << 21) | ((head[7] & 0x7f) << 14) | ((head[8] & 0x7f) << 7) | (head[9] & 0x7f);
  const footer = (head[5] & 0x10) !== 0 ? 10 : 0;
  return 10 + size + footer;
}

/** An MPEG audio frame header (MPEG-1/2/2.5, layer I–III). */
const mpegAudioFrame = (head: Buffer, at = 0) =>
  head.length >= at + 2 && head[at] === 0xff && (head[at + 1] & 0xe0) === 0xe0 && (head[at + 1] & 0x06) !== 0;

/** An AAC ADTS frame header (sync word, layer 00). */
const adtsFrame = (head: Buffer) => head.length >= 2 && head[0] === 0xff && (head[1] & 0xf6) === 0xf0;

const hasNoNul = (head: Buffer) => !head.includes(0);
const utf16Bom = (head: Buffer) => bytesAt(head, 0, [0xff, 0xfe]) || bytesAt(head, 0, [0xfe, 0xff]);

const FORMATS = {
  matroska: { label: 'a Matroska/WebM file', matches: (h) => bytesAt(h, 0, [0x1a, 0x45, 0xdf, 0xa3]) },
  isoBmff: { label: 'an MP4/ISO media file', matches: (h) => ascii(h, 4, 8) === 'ftyp' },
  quickTime: {
    label: 'a QuickTime/MP4 file',
    matches: (h) => ['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(ascii(h, 4, 8)),
  },
  avi: { label: 'an AVI file', matches: (h) => ascii(h, 0, 4) === 'RIFF' && ascii(h, 8, 12) === 'AVI ' },
  wav: { label: 'a WAVE file', matches: (h) => ascii(h, 0, 4) === 'RIFF' && ascii(h, 8, 12) === 'WAVE' },
  webp: { label: 'a WebP image', matches: (h) => ascii(h, 0, 4) === 'RIFF' && ascii(h, 8, 12) === 'WEBP' },
  mpegTs: {
    label: 'an MPEG transport stream',
    matches: (h) => h.length >= 188 && h[0] === 0x47 && (h.length < 189 || h[188] === 0x47),
  },
  m2ts: {
    label: 'a Blu-ray transport stream (m2ts)',
    matches: (h) => h.length >= 192 && h[4] === 0x47 && (h.length < 197 || h[196] === 0x47),
  },
  mpegPs: {
    label: 'an MPEG program stream',
    matches: (h) => bytesAt(h, 0, [0x00, 0x00, 0x01, 0xba]) || bytesAt(h, 0, [0x00, 0x00, 0x01, 0xb3]),
  },
  flv: { label: 'a Flash video', matches: (h) => bytesAt(h, 0, [0x46, 0x4c, 0x56, 0x01]) },
  asf: {
    label: 'a Windows Media (ASF) file',
    matches: (h) => bytesAt(h, 0, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c]),
  },
  flac: {
    label: 'a FLAC file',
    matches: (h) => {
      if (ascii(h, 0, 4) === 'fLaC') return true;
      // Some taggers put an ID3v2 tag before the stream; check behind it when it fits in the head.
      const skip = id3Length(h);
      if (skip === 0) return false;
      return skip + 4 > h.length || ascii(h, skip, skip + 4) === 'fLaC';
    },
  },
  mp3: { label: 'an MP3 file', matches: (h) => id3Length(h) > 0 || mpegAudioFrame(h) },
  aac: { label: 'an AAC file', matches: (h) => id3Length(h) > 0 || adtsFrame(h) || ascii(h, 0, 4) === 'ADIF' },
  ogg: { label: 'an Ogg file', matches: (h) => ascii(h, 0, 4) === 'OggS' },
  aiff: { label: 'an AIFF file', matches: (h) => ascii(h, 0, 4) === 'FORM' && ['AIFF', 'AIFC'].includes(ascii(h, 8, 12)) },
  ape: { label: "a Monkey's Audio file", matches: (h) => ascii(h, 0, 4) === 'MAC ' },
  wavPack: { label: 'a WavPack file', matches: (h) => ascii(h, 0, 4) === 'wvpk' },
  dsf: { label: 'a DSD stream file', matches: (h) => ascii(h, 0, 4) === 'DSD ' },
  jpeg: { label: 'a JPEG image', matches: (h) => bytesAt(h, 0, [0xff, 0xd8, 0xff]) },
  png: { label: 'a PNG image', matches: (h) => bytesAt(h, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  gif: { label: 'a GIF image', matches: (h) => ['GIF87a', 'GIF89a'].includes(ascii(h, 0, 6)) },
  bmp: { label: 'a BMP image', matches: (h) => ascii(h, 0, 2) === 'BM' && h.length >= 14 },
  tiff: { label: 'a TIFF image', matches: (h) => bytesAt(h, 0, [0x49, 0x49, 0x2a, 0x00]) || bytesAt(h, 0, [0x4d, 0x4d, 0x00, 0x2a]) },
  zip: { label: 'a zip archive', matches: (h) => bytesAt(h, 0, [0x50, 0x4b, 0x03, 0x04]) },
  pgs: { label: 'a PGS subtitle stream', matches: (h) => ascii(h, 0, 2) === 'PG' },
  text: { label: 'a text file', matches: (h) => hasNoNul(h) || utf16Bom(h) },
} satisfies Record<string, Format>;

type FormatName = keyof typeof FORMATS;

export type UploadCategory = 'video' | 'audio' | 'image' | 'archive' | 'subtitle' | 'nfo';

interface AllowedType {
  category: UploadCategory;
  /** Any of these formats is accepted for the extension. */
  formats: FormatName[];
}

/** Every extension an upload may have, with the content it must have. */
export const ALLOWED_UPLOAD_TYPES: Readonly<Record<string, AllowedType>> = {
  mkv: { category: 'video', formats: ['matroska'] },
  mk3d: { category: 'video', formats: ['matroska'] },
  webm: { category: 'video', formats: ['matroska'] },
  mp4: { category: 'video', formats: ['isoBmff'] },
  m4v: { category: 'video', formats: ['isoBmff'] },
  '3gp': { category: 'video', formats: ['isoBmff'] },
  mov: { category: 'video', formats: ['quickTime'] },
  avi: { category: 'video', formats: ['avi'] },
  ts: { category: 'video', formats: ['mpegTs'] },
  m2ts: { category: 'video', formats: ['m2ts'] },
  mpg: { category: 'video', formats: ['mpegPs'] },
  mpeg: { category: 'video', formats: ['mpegPs'] },
  flv: { category: 'video', formats: ['flv'] },
  wmv: { category: 'video', formats: ['asf'] },
  ogv: { category: 'video', formats: ['ogg'] },
  mka: { category: 'audio', formats: ['matroska'] },
  m4a: { category: 'audio', formats: ['isoBmff'] },
  m4b: { category: 'audio', formats: ['isoBmff'] },
  alac: { category: 'audio', formats: ['isoBmff'] },
  flac: { category: 'audio', formats: ['flac'] },
  mp3: { category: 'audio', formats: ['mp3'] },
  aac: { category: 'audio', formats: ['aac'] },
  ogg: { category: 'audio', formats: ['ogg'] },
  oga: { category: 'audio', formats: ['ogg'] },
  opus: { category: 'audio', formats: ['ogg'] },
  wav: { category: 'audio', formats: ['wav'] },
  aiff: { category: 'audio', formats: ['aiff'] },
  aif: { category: 'audio', formats: ['aiff'] },
  wma: { category: 'audio', formats: ['asf'] },
  ape: { category: 'audio', formats: ['ape'] },
  wv: { category: 'audio', formats: ['wavPack'] },
  dsf: { category: 'audio', formats: ['dsf'] },
  jpg: { category: 'image', formats: ['jpeg'] },
  jpeg: { category: 'image', formats: ['jpeg'] },
  png: { category: 'image', formats: ['png'] },
  gif: { category: 'image', formats: ['gif'] },
  webp: { category: 'image', formats: ['webp'] },
  bmp: { category: 'image', formats: ['bmp'] },
  tif: { category: 'image', formats: ['tiff'] },
  tiff: { category: 'image', formats: ['tiff'] },
  avif: { category: 'image', formats: ['isoBmff'] },
  heic: { category: 'image', formats: ['isoBmff'] },
  zip: { category: 'archive', formats: ['zip'] },
  cbz: { category: 'archive', formats: ['zip'] },
  srt: { category: 'subtitle', formats: ['text'] },
  ass: { category: 'subtitle', formats: ['text'] },
  ssa: { category: 'subtitle', formats: ['text'] },
  vtt: { category: 'subtitle', formats: ['text'] },
  idx: { category: 'subtitle', formats: ['text'] },
  sub: { category: 'subtitle', formats: ['mpegPs', 'text'] },
  sup: { category: 'subtitle', formats: ['pgs'] },
  nfo: { category: 'nfo', formats: ['text'] },
};

const ALLOWED_LIST = Object.keys(ALLOWED_UPLOAD_TYPES).join(', ');

/** The type an upload's name claims; an extension not in ALLOWED_UPLOAD_TYPES → 415. */
export function uploadTypeFor(fileName: string): AllowedType & { extension: string } {
  const extension = extensionOf(fileName);
  const type = Object.hasOwn(ALLOWED_UPLOAD_TYPES, extension) ? ALLOWED_UPLOAD_TYPES[extension] : undefined;
  if (!type)
    throw new UploadRejection(
      415,
      extension
        ? `Files of type ".${extension}" cannot be uploaded ("${fileName}"); allowed: ${ALLOWED_LIST}`
        : `"${fileName}" has no extension, so its type is unknown; allowed: ${ALLOWED_LIST}`,
    );
  return { ...type, extension };
}

// Strong signatures first; weak ones (two letters, one sync byte) only when the content is not text.
const DESCRIBE_ORDER: FormatName[] = [
  'matroska',
  'isoBmff',
  'avi',
  'wav',
  'webp',
  'mpegPs',
  'flv',
  'asf',
  'ogg',
  'aiff',
  'ape',
  'wavPack',
  'dsf',
  'jpeg',
  'png',
  'gif',
  'tiff',
  'zip',
  'mp3',
  'aac',
  'flac',
];
const WEAK_FORMATS: FormatName[] = ['mpegTs', 'm2ts', 'bmp', 'pgs'];

/** What the first bytes look like, for the error detail. */
export function describeContent(head: Buffer): string {
  const strong = DESCRIBE_ORDER.find((name) => FORMATS[name].matches(head));
  if (strong) return FORMATS[strong].label;
  if (FORMATS.text.matches(head)) return 'text';
  const weak = WEAK_FORMATS.find((name) => FORMATS[name].matches(head));
  return weak ? FORMATS[weak].label : 'an unrecognised binary format';
}

/**
 * Checks the content sniffed from the first bytes (up to SNIFF_BYTES, fewer when the file is
 * shorter) against the extension: 415 with what the content looks like when they disagree, 400 for an
 * empty file. Text types must have no NUL byte in the head (UTF-16 with a byte-order mark excepted).
 */
export function checkUploadContent(fileName: string, head: Buffer): void {
  const type = uploadTypeFor(fileName);
  if (head.length === 0) throw new UploadRejection(400, `"${fileName}" is empty`);
  if (type.formats.some((name) => FORMATS[name].matches(head))) return;
  const expected = type.formats.map((name) => FORMATS[name].label).join(' or ');
  throw new UploadRejection(
    415,
    `The content of "${fileName}" does not match its extension: a .${type.extension} must be ${expected}, but this looks like ${describeContent(head)}`,
  );
}
