import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeFlac, makeMp3 } from '../../../../test/helpers/media-fixtures.js';
import { readAudioTags, readEmbeddedPicture } from './read-audio-tags.js';

let dir: string;
const path = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marquee-tags-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ALBUM_ID = '9d6b2c3a-1f7e-4a5b-8c9d-0e1f2a3b4c5d';
const ARTIST_ID = '0383dadf-2a4e-4d10-a46a-e9e041da8eb3';
const ALBUM_ARTIST_ID = '89ad4ac3-39f7-470e-963a-56509c546377';
const RECORDING_ID = 'e1a5b3c7-0f2d-4e6a-9b8c-7d6e5f4a3b2c';

describe('readAudioTags', () => {
  it('reads a fully tagged 24-bit FLAC', async () => {
    await makeFlac(path('full.flac'), {
      bits: 24,
      sampleRate: 96000,
      seconds: 1,
      cover: true,
      tags: {
        title: '東京',
        artist: 'Artist A / Artist B feat. Guest',
        album_artist: 'Various Artists',
        album: 'Café Nights',
        date: '2019-04-12',
        track: '3/12',
        disc: '1/2',
        genre: ['Jazz', 'Lounge'],
        compilation: '1',
        MUSICBRAINZ_ALBUMID: ALBUM_ID,
        MUSICBRAINZ_ARTISTID: ARTIST_ID,
        MUSICBRAINZ_ALBUMARTISTID: ALBUM_ARTIST_ID,
        MUSICBRAINZ_TRACKID: RECORDING_ID,
      },
    });

    expect(await readAudioTags(path('full.flac'))).toEqual({
      title: '東京',
      artists: ['Artist A', 'Artist B', 'Guest'],
      albumArtist: 'Various Artists',
      album: 'Café Nights',
      year: 2019,
      releaseDate: '2019-04-12',
      trackNumber: 3,
      trackTotal: 12,
      discNumber: 1,
      discTotal: 2,
      compilation: true,
      genres: ['Jazz', 'Lounge'],
      musicbrainzAlbumId: ALBUM_ID,
      musicbrainzArtistId: ARTIST_ID,
      musicbrainzTrackId: RECORDING_ID,
      musicbrainzAlbumArtistId: ALBUM_ARTIST_ID,
      durationMs: 1000,
      bitDepth: 24,
      sampleRate: 96000,
      channels: 1,
      codec: 'FLAC',
      lossless: true,
      bitrate: expect.any(Number),
      hasEmbeddedPicture: true,
    });
  });

  it('reads a 16-bit FLAC with almost no tags', async () => {
    await makeFlac(path('plain.flac'), { bits: 16, sampleRate: 44100, tags: { title: 'Plain', artist: 'Simon & Garfunkel' } });

    const tags = await readAudioTags(path('plain.flac'));

    expect(tags).toMatchObject({
      title: 'Plain',
      artists: ['Simon & Garfunkel'],
      albumArtist: null,
      album: null,
      year: null,
      releaseDate: null,
      trackNumber: null,
      discNumber: null,
      compilation: false,
      genres: [],
      musicbrainzAlbumId: null,
      bitDepth: 16,
      sampleRate: 44100,
      lossless: true,
      hasEmbeddedPicture: false,
    });
  });

  it('uses explicit ARTISTS tags as they are, and several ARTIST values as they are', async () => {
    await makeFlac(path('artists.flac'), {
      tags: { artist: 'Paul Simon feat. Art Garfunkel', ARTISTS: ['Paul Simon', 'Art Garfunkel / Friends'] },
    });
    await makeFlac(path('multi-artist.flac'), { tags: { artist: ['Earth, Wind & Fire', 'The Emotions feat. Nobody'] } });
    await makeFlac(path('semicolons.flac'), { tags: { artist: 'One; Two' } });

    expect((await readAudioTags(path('artists.flac'))).artists).toEqual(['Paul Simon', 'Art Garfunkel / Friends']);
    expect((await readAudioTags(path('multi-artist.flac'))).artists).toEqual(['Earth, Wind & Fire', 'The Emotions feat. Nobody']);
    expect((await readAudioTags(path('semicolons.flac'))).artists).toEqual(['One', 'Two']);
  });

  it('reads an MP3 with ID3v2.3: TCMP compilation, TXXX MusicBrainz ids, UFID recording id, a year-only date', async () => {
    await makeMp3(path('song.mp3'), {
      cover: true,
      tags: {
        title: 'Café',
        artist: 'Solo feat. Guest',
        album: 'Ünïcödé',
        date: '2001',
        track: '7/9',
        disc: '2/2',
        genre: 'Rock',
        compilation: '1',
        MUSICBRAINZ_ALBUMID: ALBUM_ID,
        MUSICBRAINZ_ARTISTID: ARTIST_ID,
        MUSICBRAINZ_TRACKID: RECORDING_ID,
      },
    });

    expect(await readAudioTags(path('song.mp3'))).toEqual({
      title: 'Café',
      artists: ['Solo', 'Guest'],
      albumArtist: null,
      album: 'Ünïcödé',
      year: 2001,
      releaseDate: '2001',
      trackNumber: 7,
      trackTotal: 9,
      discNumber: 2,
      discTotal: 2,
      compilation: true,
      genres: ['Rock'],
      musicbrainzAlbumId: ALBUM_ID,
      musicbrainzArtistId: ARTIST_ID,
      musicbrainzTrackId: RECORDING_ID,
      musicbrainzAlbumArtistId: null,
      durationMs: 1045,
      bitDepth: null,
      sampleRate: 44100,
      channels: 1,
      codec: 'MPEG 1 Layer 3',
      lossless: false,
      bitrate: 128000,
      hasEmbeddedPicture: true,
    });
  });

  it('splits " / " in an ID3v2.3 artist and reports no compilation when untagged', async () => {
    await makeMp3(path('duo.mp3'), { tags: { title: '東京', artist: 'Artist A / Artist B' } });

    const tags = await readAudioTags(path('duo.mp3'));

    expect(tags).toMatchObject({ title: '東京', artists: ['Artist A', 'Artist B'], compilation: false, hasEmbeddedPicture: false });
  });

  it('rejects corrupt and missing files clearly', async () => {
    await writeFile(path('garbage.flac'), randomBytes(20_000));
    await writeFile(path('garbage.mp3'), randomBytes(20_000));

    await expect(readAudioTags(path('garbage.flac'))).rejects.toThrow(
      new RegExp(`^could not read audio tags from ${path('garbage.flac')}: `),
    );
    await expect(readAudioTags(path('garbage.mp3'))).rejects.toThrow(
      `could not read audio tags from ${path('garbage.mp3')}: no audio stream was found`,
    );
    await expect(readAudioTags(path('missing.flac'))).rejects.toThrow(
      new RegExp(`^could not read audio tags from ${path('missing.flac')}: ENOENT`),
    );
  });

  it('rejects when the timeout passes first (a FIFO with no writer stands in for a hung mount)', async () => {
    const fifo = path('stuck.flac');
    execFileSync('mkfifo', [fifo]);
    await expect(readAudioTags(fifo, { timeoutMs: 300 })).rejects.toThrow(`reading audio tags from ${fifo} timed out after 300 ms`);
    // Let the blocked read finish (end of file) so no thread stays stuck after the test.
    await (await open(fifo, 'w')).close();
  });
});

describe('readEmbeddedPicture', () => {
  it('returns the front cover of a FLAC and an MP3 as a JPEG', async () => {
    await makeFlac(path('cover.flac'), { cover: true });
    await makeMp3(path('cover.mp3'), { cover: true });

    for (const file of ['cover.flac', 'cover.mp3']) {
      const picture = await readEmbeddedPicture(path(file));
      expect(picture?.format).toBe('image/jpeg');
      const metadata = await sharp(picture!.data).metadata();
      expect([metadata.format, metadata.width, metadata.height]).toEqual(['jpeg', 64, 64]);
    }
  });

  it('returns null when there is no picture', async () => {
    await makeFlac(path('bare.flac'), {});
    expect(await readEmbeddedPicture(path('bare.flac'))).toBeNull();
  });
});
