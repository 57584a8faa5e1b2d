import { type IAudioMetadata, type IPicture, parseFile, selectCover } from 'music-metadata';
import { splitArtists } from './split-artists.js';

export interface AudioTags {
  title: string | null;
  artists: string[];
  albumArtist: string | null;
  album: string | null;
  year: number | null;
  /** As tagged when it is an ISO date or its prefix ("2001", "2001-02", "2001-02-03"); else the year alone. */
  releaseDate: string | null;
  trackNumber: number | null;
  trackTotal: number | null;
  discNumber: number | null;
  discTotal: number | null;
  compilation: boolean;
  genres: string[];
  musicbrainzAlbumId: string | null;
  musicbrainzArtistId: string | null;
  /** The recording id, which Picard writes as MUSICBRAINZ_TRACKID (Vorbis) or UFID (ID3). */
  musicbrainzTrackId: string | null;
  musicbrainzAlbumArtistId: string | null;
  durationMs: number | null;
  bitDepth: number | null;
  sampleRate: number | null;
  channels: number | null;
  codec: string | null;
  lossless: boolean;
  bitrate: number | null;
  hasEmbeddedPicture: boolean;
}

export interface ReadAudioTagsOptions {
  /** Default 30 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Tags and audio properties of a music file. Artists: explicit multi-value ARTISTS tags are used as
 * they are; otherwise several ARTIST values are used as they are, and a single one is split with
 * splitArtists ("A feat. B" → A, B). Note that music-metadata itself splits ID3v2.3 TPE1 on "/"
 * (Picard's multi-value convention for that version), so "AC/DC" in an ID3v2.3 tag reads as two.
 *
 * Covers are parsed (music-metadata's skipCovers leaves no trace that a picture exists) and dropped
 * at once; only hasEmbeddedPicture is kept. music-metadata cannot be cancelled: on timeout this
 * rejects while the parse, bounded by the file, finishes in the background.
 */
export async function readAudioTags(path: string, options: ReadAudioTagsOptions = {}): Promise<AudioTags> {
  const metadata = await parseAudio(path, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const { common, format } = metadata;
  const taggedDate = /^\d{4}(-\d{2}(-\d{2})?)?/.exec(common.date ?? '')?.[0] ?? null;
  const year = common.year ?? (taggedDate ? Number(taggedDate.slice(0, 4)) : null);
  return {
    title: clean(common.title),
    artists: artistsOf(metadata),
    albumArtist: clean(common.albumartist),
    album: clean(common.album),
    year,
    releaseDate: taggedDate ?? (year ? String(year) : null),
    trackNumber: common.track.no ?? null,
    trackTotal: common.track.of ?? null,
    discNumber: common.disk.no ?? null,
    discTotal: common.disk.of ?? null,
    compilation: common.compilation ?? nativeCompilation(metadata),
    genres: unique((common.genre ?? []).flatMap((genre) => genre.split(/\s*;\s*/))),
    musicbrainzAlbumId: clean(common.musicbrainz_albumid),
    musicbrainzArtistId: clean(common.musicbrainz_artistid?.[0]),
    musicbrainzTrackId: clean(common.musicbrainz_recordingid ?? common.musicbrainz_trackid),
    musicbrainzAlbumArtistId: clean(common.musicbrainz_albumartistid?.[0]),
    durationMs: format.duration ? Math.round(format.duration * 1000) : null,
    bitDepth: format.bitsPerSample ?? null,
    sampleRate: format.sampleRate ?? null,
    channels: format.numberOfChannels ?? null,
    codec: format.codec ?? null,
    lossless: format.lossless === true,
    bitrate: format.bitrate ? Math.round(format.bitrate) : null,
    hasEmbeddedPicture: (common.picture?.length ?? 0) > 0,
  };
}

/** The embedded picture, the front cover when there are several; `format` is its sniffed MIME type. */
export async function readEmbeddedPicture(
  path: string,
  options: ReadAudioTagsOptions = {},
): Promise<{ data: Buffer; format: string } | null> {
  const metadata = await parseAudio(path, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const picture = selectCover(metadata.common.picture);
  if (!picture) return null;
  const data = Buffer.from(picture.data.buffer, picture.data.byteOffset, picture.data.byteLength);
  return { data, format: pictureType(data, picture) };
}

async function parseAudio(path: string, timeoutMs: number): Promise<IAudioMetadata> {
  const timedOut = new Error(`reading audio tags from ${path} timed out after ${timeoutMs} ms`);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut), timeoutMs);
  });
  try {
    const metadata = await Promise.race([parseFile(path, { skipCovers: false }), deadline]);
    // music-metadata reads garbage without complaint when the extension names a lenient format (MPEG scans for frame sync).
    if (!metadata.format.sampleRate || !metadata.format.duration) throw new Error('no audio stream was found');
    return metadata;
  } catch (error) {
    if (error === timedOut) throw error;
    throw new Error(`could not read audio tags from ${path}: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

function artistsOf({ common, native }: IAudioMetadata): string[] {
  const tagged = common.artists ?? (common.artist ? [common.artist] : []);
  const explicitList = Object.values(native).some((tags) => tags.some((tag) => /(^|:)ARTISTS$/i.test(tag.id)));
  if (explicitList || tagged.length > 1) return unique(tagged);
  return tagged.length === 1 ? splitArtists(tagged[0]) : [];
}

/** TXXX:COMPILATION (ffmpeg, foobar2000) where music-metadata only knows TCMP, cpil and COMPILATION. */
function nativeCompilation({ native }: IAudioMetadata): boolean {
  return Object.values(native).some((tags) =>
    tags.some((tag) => /^TXXX:(COMPILATION|TCMP)$/i.test(tag.id) && ['1', 'true', 'yes'].includes(String(tag.value).trim().toLowerCase())),
  );
}

function pictureType(data: Buffer, picture: IPicture): string {
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (data.toString('latin1', 0, 3) === 'GIF') return 'image/gif';
  const declared = picture.format.toLowerCase();
  return declared === 'image/jpg' ? 'image/jpeg' : declared.includes('/') ? declared : `image/${declared || 'unknown'}`;
}

function clean(value: string | undefined | null): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** Trimmed, without empty values or case-insensitive duplicates, in order. */
function unique(values: string[]): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const value of values.map((v) => v.trim())) {
    if (!value || seen.has(value.toLowerCase())) continue;
    seen.add(value.toLowerCase());
    kept.push(value);
  }
  return kept;
}
