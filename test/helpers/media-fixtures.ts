/**
 * Small real media files for tests, generated with the real ffmpeg, sharp and yazl. Every generator
 * creates the parent directory of its output and finishes well under a second.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import yazl from 'yazl';
import { resolveBinary } from '../../libs/core/src/binaries/resolve-binary.js';

export function ffmpegPath(): string {
  return resolveBinary('ffmpeg', process.env.FFMPEG_PATH).path;
}

export function ffprobePath(): string {
  return resolveBinary('ffprobe', process.env.FFPROBE_PATH).path;
}

export interface VideoOptions {
  seconds?: number;
  width?: number;
  height?: number;
  container?: 'mkv' | 'mp4';
  audio?: boolean;
  audioLanguage?: string;
  /** A subtitle track muxed in: SubRip in mkv, mov_text in mp4. */
  subtitles?: boolean;
  source?: 'testsrc' | 'mandelbrot' | 'smptebars';
  title?: string;
}

/** An H.264 (+ AAC) video at 25 fps. */
export async function makeVideo(path: string, options: VideoOptions = {}): Promise<void> {
  const { seconds = 2, width = 320, height = 240, container = 'mkv', audio = true, subtitles = false, source = 'testsrc' } = options;
  await mkdir(dirname(path), { recursive: true });
  // mandelbrot has no duration option: every source is bounded by an input -t instead.
  const inputs = ['-t', String(seconds), '-f', 'lavfi', '-i', `${source}=size=${width}x${height}:rate=25`];
  const maps = ['-map', '0:v'];
  // Dispositions are explicit: ffmpeg 4 and 5 differ in which streams they mark default on their own.
  const codecs = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-disposition:v:0', 'default'];
  let next = 1;
  if (audio) {
    inputs.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`);
    maps.push('-map', `${next++}:a`);
    codecs.push('-c:a', 'aac', '-ac', '2', '-b:a', '96k', '-disposition:a:0', 'default');
    if (options.audioLanguage) codecs.push('-metadata:s:a:0', `language=${options.audioLanguage}`);
  }
  const scratch = subtitles ? await mkdtemp(join(tmpdir(), 'marquee-fixture-')) : undefined;
  try {
    if (scratch) {
      const srt = join(scratch, 'subtitles.srt');
      const middle = (seconds * 1000) / 2;
      await writeFile(
        srt,
        `1\n${srtTime(0)} --> ${srtTime(middle)}\nHello\n\n2\n${srtTime(middle)} --> ${srtTime(seconds * 1000)}\nWorld\n`,
      );
      inputs.push('-i', srt);
      maps.push('-map', `${next++}:s`);
      codecs.push('-c:s', container === 'mkv' ? 'srt' : 'mov_text', '-metadata:s:s:0', 'language=eng');
    }
    const metadata = options.title ? ['-metadata', `title=${options.title}`] : [];
    await generate([
      ...inputs,
      ...maps,
      ...codecs,
      ...metadata,
      '-t',
      String(seconds),
      '-f',
      container === 'mkv' ? 'matroska' : 'mp4',
      path,
    ]);
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * An H.264 video (no audio) made of solid-colour spans one after another, e.g. red for 0.2 s then
 * green: which colour a frame shows tells where in the video it was taken.
 */
export async function makeColorVideo(
  path: string,
  spans: Array<{ color: string; seconds: number }>,
  options: { width?: number; height?: number; container?: 'mkv' | 'mp4' } = {},
): Promise<void> {
  const { width = 160, height = 120, container = 'mkv' } = options;
  await mkdir(dirname(path), { recursive: true });
  const sources = spans.map((span, i) => `color=c=${span.color}:s=${width}x${height}:r=25:d=${span.seconds}[s${i}]`);
  const joined = `${spans.map((_, i) => `[s${i}]`).join('')}concat=n=${spans.length}:v=1:a=0[v]`;
  await generate([
    '-filter_complex',
    [...sources, joined].join(';'),
    '-map',
    '[v]',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-f',
    container === 'mkv' ? 'matroska' : 'mp4',
    path,
  ]);
}

export interface AudioOptions {
  seconds?: number;
  bits?: 16 | 24;
  sampleRate?: number;
  /**
   * ffmpeg-style keys (title, artist, album_artist, album, date, track "3/12", disc "1/2", genre,
   * compilation "1") or native ones (MUSICBRAINZ_ALBUMID…). An array becomes repeated tags in FLAC.
   */
  tags?: Record<string, string | string[]>;
  /** Embed a generated 64×64 JPEG as the front cover. */
  cover?: boolean;
}

/** A FLAC file with Vorbis comments written as given (repeated keys included). */
export async function makeFlac(path: string, options: AudioOptions = {}): Promise<void> {
  const { seconds = 1, bits = 16, sampleRate = 44100 } = options;
  await mkdir(dirname(path), { recursive: true });
  const format = bits === 24 ? ['-sample_fmt', 's32', '-bits_per_raw_sample', '24'] : ['-sample_fmt', 's16'];
  await withCover(options.cover, async (coverArgs) => {
    await generate([
      ...sineInput(seconds, sampleRate),
      ...coverArgs.inputs,
      '-map',
      '0:a',
      ...coverArgs.maps,
      '-c:a',
      'flac',
      ...format,
      '-map_metadata',
      '-1',
      '-f',
      'flac',
      path,
    ]);
  });
  // ffmpeg writes one Vorbis comment per key; tests need repeated keys (ARTISTS=a, ARTISTS=b).
  await writeFile(path, replaceVorbisComments(await readFile(path), options.tags ?? {}));
}

/**
 * An MP3 (LAME) with an ID3v2.3 tag written here rather than by ffmpeg, which would store
 * compilation as TXXX:compilation instead of iTunes' TCMP and cannot write UFID. An array value is
 * joined with '/' as Picard does for ID3v2.3. MUSICBRAINZ_* keys become Picard's TXXX/UFID frames.
 */
export async function makeMp3(path: string, options: Omit<AudioOptions, 'bits'> = {}): Promise<void> {
  const { seconds = 1, sampleRate = 44100 } = options;
  await mkdir(dirname(path), { recursive: true });
  await generate([
    ...sineInput(seconds, sampleRate),
    '-c:a',
    'libmp3lame',
    '-b:a',
    '128k',
    '-map_metadata',
    '-1',
    '-id3v2_version',
    '0',
    '-write_id3v1',
    '0',
    '-f',
    'mp3',
    path,
  ]);
  const cover = options.cover ? await coverJpeg() : undefined;
  await writeFile(path, Buffer.concat([id3v23Tag(options.tags ?? {}, cover), await readFile(path)]));
}

/**
 * A PCM WAVE file of 16, 24 or 32-bit signed samples, tagged by ffmpeg in its RIFF INFO chunk
 * (title, artist, album, genre, date, track).
 */
export async function makeWav(
  path: string,
  options: { seconds?: number; bits?: 16 | 24 | 32; sampleRate?: number; tags?: Record<string, string> } = {},
): Promise<void> {
  const { seconds = 1, bits = 16, sampleRate = 44100 } = options;
  await mkdir(dirname(path), { recursive: true });
  const metadata = Object.entries(options.tags ?? {}).flatMap(([key, value]) => ['-metadata', `${key}=${value}`]);
  await generate([...sineInput(seconds, sampleRate), '-c:a', `pcm_s${bits}le`, ...metadata, '-f', 'wav', path]);
}

export async function makeImage(
  path: string,
  options: { width?: number; height?: number; format?: 'jpeg' | 'png' | 'webp'; color?: string } = {},
): Promise<void> {
  const { width = 64, height = 48, format = 'jpeg', color = '#3366cc' } = options;
  await mkdir(dirname(path), { recursive: true });
  await sharp({ create: { width, height, channels: 3, background: color } })
    .toFormat(format)
    .toFile(path);
}

/**
 * A decompression bomb: a PNG of a few dozen bytes whose header declares `width`×`height` RGB pixels
 * (its image data is a single empty row, so decoding it fails once past the header anyway).
 */
export async function makePngBomb(path: string, width: number, height: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per sample, RGB, deflate, adaptive filtering, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  await writeFile(
    path,
    Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.alloc(1))), chunk('IEND', Buffer.alloc(0))]),
  );
}

/**
 * A zip written by yazl. Names yazl refuses ('../evil.jpg', '/abs.jpg') are written too: the entry
 * is added under a placeholder of the same byte length and the name bytes are patched afterwards
 * (the CRC covers the data, not the name).
 */
export async function makeZip(path: string, entries: Record<string, Buffer | string>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const zip = new yazl.ZipFile();
  const patches: Array<{ placeholder: Buffer; name: Buffer }> = [];
  for (const [name, content] of Object.entries(entries)) {
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    let entryName = name;
    if (/^([a-zA-Z]:|[/\\])/.test(name) || name.split(/[/\\]/).includes('..')) {
      const bytes = Buffer.from(name);
      const placeholder = Buffer.from(randomBytes(bytes.length).toString('hex').slice(0, bytes.length));
      entryName = placeholder.toString();
      patches.push({ placeholder, name: bytes });
    }
    zip.addBuffer(data, entryName, { mtime: new Date(2020, 0, 1) });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const archive = Buffer.concat(chunks);
  for (const { placeholder, name } of patches) {
    // The name appears twice: in the local file header and in the central directory.
    for (let at = archive.indexOf(placeholder); at !== -1; at = archive.indexOf(placeholder, at + 1)) name.copy(archive, at);
  }
  await writeFile(path, archive);
}

/**
 * 64 KiB that no demuxer takes for media, the same every run: random bytes differ per run, and now and
 * then a run's bytes look enough like some format for ffmpeg to open them and find nothing to decode.
 */
const GARBAGE = Buffer.concat(Array.from({ length: 2048 }, (_, block) => createHash('sha256').update(`marquee garbage ${block}`).digest()));

/**
 * truncated-mkv: a real mkv cut to its first 2 KiB. truncated-mp4: a real mp4 cut to its first 4 KiB
 * (its index, the moov atom, is written last, so it is lost). garbage: 64 KiB of random bytes.
 */
export async function makeCorrupt(path: string, kind: 'truncated-mkv' | 'truncated-mp4' | 'garbage' = 'garbage'): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  if (kind === 'garbage') return writeFile(path, GARBAGE);
  const scratch = await mkdtemp(join(tmpdir(), 'marquee-fixture-'));
  try {
    const container = kind === 'truncated-mp4' ? 'mp4' : 'mkv';
    const whole = join(scratch, `whole.${container}`);
    await makeVideo(whole, { seconds: 1, container });
    await writeFile(path, (await readFile(whole)).subarray(0, container === 'mp4' ? 4096 : 2048));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** 83_500 ms → "00:01:23,500". */
function srtTime(ms: number): string {
  const whole = Math.round(ms);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(Math.floor(whole / 3_600_000))}:${pad(Math.floor(whole / 60_000) % 60)}:${pad(Math.floor(whole / 1000) % 60)},${pad(whole % 1000, 3)}`;
}

function sineInput(seconds: number, sampleRate: number): string[] {
  return ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${sampleRate}:duration=${seconds}`];
}

interface CoverArgs {
  inputs: string[];
  maps: string[];
}

async function withCover(cover: boolean | undefined, run: (args: CoverArgs) => Promise<void>): Promise<void> {
  if (!cover) return run({ inputs: [], maps: [] });
  const scratch = await mkdtemp(join(tmpdir(), 'marquee-fixture-'));
  try {
    const jpeg = join(scratch, 'cover.jpg');
    await writeFile(jpeg, await coverJpeg());
    await run({
      inputs: ['-i', jpeg],
      maps: ['-map', '1:v', '-c:v', 'copy', '-disposition:v', 'attached_pic', '-metadata:s:v', 'comment=Cover (front)'],
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The 64×64 red JPEG embedded as front cover. */
export function coverJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 64, channels: 3, background: '#cc3333' } })
    .jpeg()
    .toBuffer();
}

const ID3_FRAMES: Record<string, string> = {
  title: 'TIT2',
  artist: 'TPE1',
  album_artist: 'TPE2',
  album: 'TALB',
  date: 'TYER',
  track: 'TRCK',
  disc: 'TPOS',
  genre: 'TCON',
  compilation: 'TCMP',
  composer: 'TCOM',
};

// MusicBrainz Picard's TXXX descriptions; the recording id goes in a UFID frame.
const ID3_MUSICBRAINZ: Record<string, string> = {
  MUSICBRAINZ_ALBUMID: 'MusicBrainz Album Id',
  MUSICBRAINZ_ARTISTID: 'MusicBrainz Artist Id',
  MUSICBRAINZ_ALBUMARTISTID: 'MusicBrainz Album Artist Id',
  MUSICBRAINZ_RELEASETRACKID: 'MusicBrainz Release Track Id',
  ARTISTS: 'ARTISTS',
};

function id3v23Tag(tags: Record<string, string | string[]>, cover: Buffer | undefined): Buffer {
  const frames: Buffer[] = [];
  for (const [key, raw] of Object.entries(tags)) {
    const value = Array.isArray(raw) ? raw.join('/') : raw;
    const upper = key.toUpperCase();
    if (upper === 'MUSICBRAINZ_TRACKID') {
      frames.push(id3Frame('UFID', Buffer.concat([Buffer.from('http://musicbrainz.org\0', 'latin1'), Buffer.from(value, 'latin1')])));
    } else if (ID3_FRAMES[key]) {
      frames.push(id3Frame(ID3_FRAMES[key], Buffer.concat([Buffer.from([1]), utf16(value)])));
    } else {
      const description = ID3_MUSICBRAINZ[upper] ?? key;
      frames.push(id3Frame('TXXX', Buffer.concat([Buffer.from([1]), utf16(description), Buffer.alloc(2), utf16(value)])));
    }
  }
  if (cover) {
    // Latin-1 text, MIME type, picture type 3 (front cover), empty description, data.
    frames.push(id3Frame('APIC', Buffer.concat([Buffer.from([0]), Buffer.from('image/jpeg\0', 'latin1'), Buffer.from([3, 0]), cover])));
  }
  const body = Buffer.concat(frames);
  const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]);
  // The tag size is "syncsafe": four 7-bit groups.
  for (let i = 0; i < 4; i++) header[9 - i] = (body.length >> (7 * i)) & 0x7f;
  return Buffer.concat([header, body]);
}

function id3Frame(id: string, data: Buffer): Buffer {
  const header = Buffer.alloc(10);
  header.write(id, 0, 'latin1');
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** UCS-2 with a byte-order mark: ID3v2.3's only Unicode encoding. */
function utf16(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

// ffmpeg's generic metadata keys and their Vorbis comment names.
const VORBIS_KEYS: Record<string, string> = {
  album_artist: 'ALBUMARTIST',
  track: 'TRACKNUMBER',
  disc: 'DISCNUMBER',
  comment: 'DESCRIPTION',
};

/** Rewrites the VORBIS_COMMENT metadata block (type 4) of a FLAC file, keeping every other block. */
function replaceVorbisComments(flac: Buffer, tags: Record<string, string | string[]>): Buffer {
  if (flac.toString('latin1', 0, 4) !== 'fLaC') throw new Error('not a FLAC file');
  const blocks: Array<{ type: number; body: Buffer }> = [];
  let at = 4;
  for (let last = false; !last;) {
    last = (flac[at] & 0x80) !== 0;
    const type = flac[at] & 0x7f;
    const length = flac.readUIntBE(at + 1, 3);
    blocks.push({ type, body: flac.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  const comments = Object.entries(tags).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => Buffer.from(`${VORBIS_KEYS[key] ?? key.toUpperCase()}=${v}`)),
  );
  const vendor = Buffer.from('marquee-fixtures');
  const parts = [uint32le(vendor.length), vendor, uint32le(comments.length), ...comments.flatMap((c) => [uint32le(c.length), c])];
  const kept = blocks.filter((b) => b.type !== 4);
  kept.splice(1, 0, { type: 4, body: Buffer.concat(parts) });
  const out: Buffer[] = [Buffer.from('fLaC')];
  kept.forEach((block, index) => {
    const header = Buffer.alloc(4);
    header[0] = (index === kept.length - 1 ? 0x80 : 0) | block.type;
    header.writeUIntBE(block.body.length, 1, 3);
    out.push(header, block.body);
  });
  out.push(flac.subarray(at));
  return Buffer.concat(out);
}

function uint32le(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
}

/** Runs ffmpeg (overwriting its output): for files the makers above do not offer, e.g. from lavfi sources. */
export function generate(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      ffmpegPath(),
      ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args],
      { timeout: 30_000 },
      (error, _stdout, stderr) =>
        error ? reject(new Error(`ffmpeg failed (${error.message.split('\n')[0]}): ${stderr.trim()}`)) : resolve(),
    );
  });
}

/**
 * Marks the video track of an MP4 as shown turned 90° clockwise, as a phone held upright records it.
 * ffmpeg 5 cannot write a display matrix, so the track header's identity matrix is replaced with a
 * rotation matrix (ffprobe then reports `rotation: -90`). Only the first track's header is touched.
 */
export async function turnMp4Display(path: string): Promise<void> {
  const bytes = await readFile(path);
  const identity = Buffer.alloc(36);
  [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].forEach((value, i) => identity.writeInt32BE(value, i * 4));
  const at = bytes.indexOf(identity, bytes.indexOf('tkhd'));
  if (bytes.indexOf('tkhd') === -1 || at === -1) throw new Error(`no track header matrix in ${path}`);
  [0, 0x00010000, 0, -0x00010000, 0, 0, 0, 0, 0x40000000].forEach((value, i) => bytes.writeInt32BE(value, at + i * 4));
  await writeFile(path, bytes);
}
