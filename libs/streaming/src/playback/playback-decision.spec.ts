import { resolveCapabilities } from './capabilities.js';
import { decidePlayback, type MediaProfile } from './playback-decision.js';

const film = (overrides: Partial<MediaProfile> = {}): MediaProfile => ({
  category: 'video',
  container: 'mp4',
  video: { codec: 'h264', width: 1920, height: 1080 },
  audio: { streamIndex: 1, codec: 'aac' },
  audioIsNotDefault: false,
  bitrate: 5_000_000,
  ...overrides,
});
const song = (container: string, codec: string): MediaProfile => ({
  category: 'audio',
  container,
  video: null,
  audio: { streamIndex: 0, codec },
  audioIsNotDefault: false,
  bitrate: 900_000,
});
const browser = resolveCapabilities();

describe('decidePlayback', () => {
  it('plays directly what a plain browser plays when nothing is declared', () => {
    expect(decidePlayback(film(), browser)).toEqual({
      method: 'direct',
      reasons: ['container mp4, video codec h264, audio codec aac supported'],
    });
    expect(
      decidePlayback(
        film({ container: 'webm', video: { codec: 'vp9', width: 1280, height: 720 }, audio: { streamIndex: 1, codec: 'opus' } }),
        browser,
      ).method,
    ).toBe('direct');
    expect(decidePlayback(film({ video: { codec: 'av1', width: 3840, height: 2160 } }), browser).method).toBe('direct');
    for (const [container, codec] of [
      ['flac', 'flac'],
      ['mp3', 'mp3'],
      ['m4a', 'aac'],
      ['opus', 'opus'],
      ['ogg', 'opus'],
    ]) {
      expect({ container, decision: decidePlayback(song(container, codec), browser).method }).toEqual({ container, decision: 'direct' });
    }
  });

  it('sends what does not fit to HLS with a reason for each misfit', () => {
    expect(decidePlayback(film({ container: 'mkv' }), browser)).toEqual({ method: 'hls', reasons: ['container mkv not supported'] });
    expect(
      decidePlayback(
        film({ container: 'mkv', video: { codec: 'hevc', width: 3840, height: 2160 }, audio: { streamIndex: 1, codec: 'dts' } }),
        browser,
      ),
    ).toEqual({
      method: 'hls',
      reasons: ['container mkv not supported', 'video codec hevc not supported', 'audio codec dts not supported'],
    });
    expect(decidePlayback(song('m4a', 'alac'), browser)).toEqual({ method: 'hls', reasons: ['audio codec alac not supported'] });
    expect(decidePlayback(song('ogg', 'vorbis'), browser).reasons).toEqual(['audio codec vorbis not supported']);
    expect(decidePlayback(song('wav', 'pcm_s16le'), browser).reasons).toEqual([
      'container wav not supported',
      'audio codec pcm_s16le not supported',
    ]);
  });

  it('honours declared containers, codecs (with their other names), height and bitrate', () => {
    const tv = resolveCapabilities({
      containers: ['mkv', 'MP4'],
      videoCodecs: ['hvc1', 'avc1'],
      audioCodecs: ['ec-3', 'mp4a'],
      maxHeight: 1080,
      maxBitrate: 10_000_000,
    });
    expect(
      decidePlayback(
        film({ container: 'mkv', video: { codec: 'hevc', width: 1920, height: 1080 }, audio: { streamIndex: 1, codec: 'eac3' } }),
        tv,
      ).method,
    ).toBe('direct');
    expect(decidePlayback(film({ container: 'm4v' }), tv).method).toBe('direct');
    expect(decidePlayback(film({ video: { codec: 'h264', width: 3840, height: 2160 } }), tv)).toEqual({
      method: 'hls',
      reasons: ['resolution 3840x2160 above the maximum height 1080'],
    });
    expect(decidePlayback(film({ bitrate: 25_000_000 }), tv)).toEqual({
      method: 'hls',
      reasons: ['bitrate 25000000 above the maximum 10000000'],
    });
    expect(decidePlayback(film({ container: 'webm' }), tv).reasons).toEqual(['container webm not supported']);
    // A declared list replaces the default one: this client plays no AAC.
    expect(decidePlayback(film(), resolveCapabilities({ audioCodecs: ['opus'] })).reasons).toEqual(['audio codec aac not supported']);
  });

  it('a film in parts asked for whole plays through HLS, which joins them; one part plays directly', () => {
    expect(decidePlayback(film({ parts: 2 }), browser)).toEqual({
      method: 'hls',
      reasons: ['the film is in 2 parts, which HLS plays as one (ask for a part to play it directly)'],
    });
    expect(decidePlayback(film({ parts: 1 }), browser).method).toBe('direct');
  });

  it('an audio track other than the default one needs HLS', () => {
    expect(decidePlayback(film({ audio: { streamIndex: 2, codec: 'aac' }, audioIsNotDefault: true }), browser)).toEqual({
      method: 'hls',
      reasons: ["audio track 2 is not the file's default track"],
    });
  });

  it('what is not known cannot be promised', () => {
    expect(decidePlayback(film({ container: null }), browser).reasons).toEqual(['container unknown (the file is not probed yet)']);
    expect(decidePlayback(film({ video: { codec: null, width: null, height: null } }), browser).reasons).toEqual(['video codec unknown']);
    expect(decidePlayback(film({ video: null, audio: null }), browser).reasons).toEqual(['no probed video or audio stream']);
    // An unknown bitrate or height is not held against the file.
    expect(
      decidePlayback(
        film({ bitrate: null, video: { codec: 'h264', width: null, height: null } }),
        resolveCapabilities({ maxBitrate: 1, maxHeight: 1 }),
      ).method,
    ).toBe('direct');
  });

  it('images are always direct', () => {
    expect(
      decidePlayback({ ...film(), category: 'image', container: null, video: null, audio: null }, resolveCapabilities({ containers: [] })),
    ).toEqual({
      method: 'direct',
      reasons: ['images are always played directly'],
    });
  });
});
