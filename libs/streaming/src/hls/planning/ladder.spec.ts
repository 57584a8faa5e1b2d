import fc from 'fast-check';
import { h264Codec, h264Level, levelOption } from './codecs.js';
import { renditionLadder, type VideoRendition } from './ladder.js';

const videoOf = (ladder: ReturnType<typeof renditionLadder>) => ladder.filter((r): r is VideoRendition => r.kind === 'video');

describe('renditionLadder', () => {
  it('a 1080p source gets 1080p, 720p, 480p and audio, best first', () => {
    const ladder = renditionLadder({ width: 1920, height: 1080, frameRate: 23.976 }, true);
    expect(ladder.map((r) => r.name)).toEqual(['1080p', '720p', '480p', 'audio']);
    expect(videoOf(ladder).map((r) => `${r.width}x${r.height}`)).toEqual(['1920x1080', '1280x720', '854x480']);
    expect(videoOf(ladder).map((r) => r.level)).toEqual([40, 31, 30]);
  });

  it('a 4K source is capped at 1080p', () => {
    expect(renditionLadder({ width: 3840, height: 2160, frameRate: 25 }, true).map((r) => r.name)).toEqual([
      '1080p',
      '720p',
      '480p',
      'audio',
    ]);
  });

  it('a source between two sizes gets the box above at its own size, never enlarged', () => {
    const ladder = videoOf(renditionLadder({ width: 1000, height: 700, frameRate: 25 }, false));
    expect(ladder.map((r) => [r.name, r.width, r.height])).toEqual([
      ['720p', 1000, 700],
      ['480p', 686, 480],
      ['360p', 514, 360],
    ]);
  });

  it('a small source gets one rendition at its own size; widescreen keeps its shape', () => {
    expect(videoOf(renditionLadder({ width: 320, height: 240, frameRate: 25 }, true)).map((r) => [r.name, r.width, r.height])).toEqual([
      ['240p', 320, 240],
    ]);
    expect(videoOf(renditionLadder({ width: 1920, height: 800, frameRate: 24 }, true)).map((r) => [r.name, r.width, r.height])).toEqual([
      ['1080p', 1920, 800],
      ['720p', 1280, 534],
      ['480p', 854, 356],
    ]);
  });

  it('audio alone when there is no picture; nothing when there is neither', () => {
    expect(renditionLadder(null, true)).toEqual([{ kind: 'audio', name: 'audio' }]);
    expect(renditionLadder(null, false)).toEqual([]);
    expect(renditionLadder({ width: 640, height: 360, frameRate: null }, false).map((r) => r.name)).toEqual(['360p', '240p']);
  });

  it('a phone video held upright is laddered as the portrait picture it shows, by its height', () => {
    const ladder = videoOf(renditionLadder({ width: 1920, height: 1080, frameRate: 30, rotation: 90 }, true));
    expect(ladder.map((r) => [r.name, r.width, r.height])).toEqual([
      ['1080p', 1080, 1920],
      ['720p', 720, 1280],
      ['480p', 480, 854],
    ]);
    expect(videoOf(renditionLadder({ width: 1920, height: 1080, frameRate: 30, rotation: 180 }, true))[0]).toMatchObject({
      width: 1920,
      height: 1080,
    });
    expect(videoOf(renditionLadder({ width: 1080, height: 1920, frameRate: 30 }, true))[0]).toMatchObject({ width: 1080, height: 1920 });
  });

  it('an anamorphic picture gets square pixels at its display size', () => {
    const ladder = videoOf(renditionLadder({ width: 720, height: 576, frameRate: 25, sampleAspectRatio: 64 / 45 }, true));
    expect(ladder.map((r) => [r.name, r.width, r.height])).toEqual([
      ['720p', 1024, 576],
      ['480p', 854, 480],
      ['360p', 640, 360],
    ]);
  });

  it('carries what the encoder must do to the picture: deinterlace, tone-map', () => {
    const [plain] = videoOf(renditionLadder({ width: 1280, height: 720, frameRate: 25 }, true));
    expect(plain).toMatchObject({ deinterlace: false, toneMap: null });
    const [hdr] = videoOf(renditionLadder({ width: 3840, height: 2160, frameRate: 24, hdr: 'hdr10+' }, true));
    expect(hdr).toMatchObject({ deinterlace: false, toneMap: 'pq' });
    const [hlg] = videoOf(renditionLadder({ width: 1920, height: 1080, frameRate: 50, hdr: 'hlg', interlaced: true }, true));
    expect(hlg).toMatchObject({ deinterlace: true, toneMap: 'hlg' });
  });

  it('never upscales, keeps even sizes and the aspect ratio, and lists smaller renditions after bigger ones', () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 7680 }), fc.integer({ min: 64, max: 4320 }), (width, height) => {
        const ladder = videoOf(renditionLadder({ width, height, frameRate: 30 }, true));
        expect(ladder.length).toBeGreaterThanOrEqual(1);
        expect(ladder.length).toBeLessThanOrEqual(3);
        for (const [i, r] of ladder.entries()) {
          expect(r.width).toBeLessThanOrEqual(Math.max(2, width + 1));
          expect(r.height).toBeLessThanOrEqual(Math.max(2, height + 1));
          expect((r.width % 2) + (r.height % 2)).toBe(0);
          // Both sides scaled by the same factor, each rounded to an even number (at most 1 px off).
          expect(Math.abs(r.width / width - r.height / height)).toBeLessThanOrEqual(1 / width + 1 / height + 1e-9);
          if (i > 0) expect(r.width * r.height).toBeLessThan(ladder[i - 1].width * ladder[i - 1].height);
        }
      }),
    );
  });
});

describe('H.264 levels and codec strings', () => {
  it('picks the lowest level allowing the size and rate', () => {
    expect(h264Level(640, 360, 25)).toBe(30);
    expect(h264Level(1280, 720, 30)).toBe(31);
    expect(h264Level(1280, 720, 60)).toBe(32);
    expect(h264Level(1920, 1080, 30)).toBe(40);
    expect(h264Level(1920, 1080, 60)).toBe(42);
  });

  it('writes RFC 6381 strings for the High profile', () => {
    expect(h264Codec(30)).toBe('avc1.64001e');
    expect(h264Codec(31)).toBe('avc1.64001f');
    expect(h264Codec(40)).toBe('avc1.640028');
    expect(levelOption(31)).toBe('3.1');
    expect(levelOption(40)).toBe('4.0');
  });
});
