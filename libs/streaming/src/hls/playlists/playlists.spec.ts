import fc from 'fast-check';
import HLS from 'hls-parser';
import { renditionLadder } from '../planning/ladder.js';
import { segmentPlan } from '../planning/segment-plan.js';
import { childQuery, masterPlaylist, mediaPlaylist, peakBandwidth } from './playlists.js';

HLS.setOptions({ strictMode: true });

describe('masterPlaylist', () => {
  const ladder = renditionLadder({ width: 1920, height: 1080, frameRate: 23.976 }, true);

  it('lists every rendition with peak BANDWIDTH, RESOLUTION, CODECS and FRAME-RATE, in strict HLS', () => {
    const text = masterPlaylist(ladder, childQuery({ audio: 2, st: 'tok.en' }));
    const master = HLS.parse(text) as InstanceType<typeof HLS.types.MasterPlaylist>;
    expect(master.isMasterPlaylist).toBe(true);
    expect(master.independentSegments).toBe(true);
    expect(master.variants.map((v) => v.uri)).toEqual([
      '1080p/index.m3u8?audio=2&st=tok.en',
      '720p/index.m3u8?audio=2&st=tok.en',
      '480p/index.m3u8?audio=2&st=tok.en',
      'audio/index.m3u8?audio=2&st=tok.en',
    ]);
    expect(master.variants.map((v) => v.resolution)).toEqual([
      { width: 1920, height: 1080 },
      { width: 1280, height: 720 },
      { width: 854, height: 480 },
      undefined,
    ]);
    expect(master.variants.map((v) => v.codecs)).toEqual([
      'avc1.640028,mp4a.40.2',
      'avc1.64001f,mp4a.40.2',
      'avc1.64001e,mp4a.40.2',
      'mp4a.40.2',
    ]);
    expect(master.variants.map((v) => v.frameRate)).toEqual([23.976, 23.976, 23.976, undefined]);
    // Peak: a segment may carry (4 + 1) s of the video's maximum rate, plus audio, plus MPEG-TS overhead.
    expect(master.variants.map((v) => v.bandwidth)).toEqual([8_422_800, 4_297_800, 2_235_300, 172_800]);
  });

  it('carries no query when there is nothing to carry', () => {
    expect(masterPlaylist(ladder, childQuery({}))).toContain('\n720p/index.m3u8\n');
  });

  it('BANDWIDTH grows with the rendition', () => {
    const values = ladder.map((r) => peakBandwidth(r));
    expect([...values].sort((a, b) => b - a)).toEqual(values);
  });
});

describe('mediaPlaylist', () => {
  it('is a complete VOD playlist computed from the duration', () => {
    const text = mediaPlaylist(segmentPlan(13_999), childQuery({ st: 'abc' }));
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:6',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXTINF:4.000,',
        '0.ts?st=abc',
        '#EXTINF:4.000,',
        '1.ts?st=abc',
        '#EXTINF:5.999,',
        '2.ts?st=abc',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
  });

  it('passes hls-parser in strict mode for any duration, and its durations add up to it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 * 3600_000 }), (ms) => {
        const playlist = HLS.parse(mediaPlaylist(segmentPlan(ms), '')) as InstanceType<typeof HLS.types.MediaPlaylist>;
        expect(playlist.playlistType).toBe('VOD');
        expect(playlist.endlist).toBe(true);
        expect(playlist.mediaSequenceBase).toBe(0);
        expect(playlist.segments.map((s) => s.uri)).toEqual(playlist.segments.map((_, i) => `${i}.ts`));
        expect(playlist.segments.every((s) => Math.round(s.duration) <= playlist.targetDuration)).toBe(true);
        expect(Math.round(playlist.segments.reduce((sum, s) => sum + s.duration * 1000, 0))).toBe(ms);
      }),
      { numRuns: 60 },
    );
  });
});
