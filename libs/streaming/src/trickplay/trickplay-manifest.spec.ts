import fc from 'fast-check';
import { isTrickplayManifest, type TrickplayManifest, trickplayVtt } from './trickplay-manifest.js';
import { layoutSheets, planTrickplay } from './trickplay-plan.js';

function manifestFor(durationMs: number, thumbnails?: number, tileHeight = 180): TrickplayManifest {
  const plan = planTrickplay(durationMs);
  const count = thumbnails ?? plan.frameCount;
  return {
    format: 1,
    sourceVersion: '0123456789abcdef',
    durationMs,
    intervalMs: plan.intervalMs,
    tileWidth: 320,
    tileHeight,
    columns: 10,
    rows: 10,
    thumbnailCount: count,
    sheets: layoutSheets(count, 320, tileHeight).map(({ width, height, count: n }) => ({ width, height, count: n })),
  };
}

const CUE =
  /^(\d{2,}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2,}):(\d{2}):(\d{2})\.(\d{3})\ntrickplay\/(\d+)\.jpg(\?st=[^#\s]+)?#xywh=(\d+),(\d+),(\d+),(\d+)$/;
const ms = (h: string, m: string, s: string, f: string) => Number(h) * 3_600_000 + Number(m) * 60_000 + Number(s) * 1000 + Number(f);

function cues(vtt: string) {
  expect(vtt.startsWith('WEBVTT\n\n')).toBe(true);
  return vtt
    .slice('WEBVTT\n\n'.length)
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const match = CUE.exec(block);
      if (!match) throw new Error(`not a thumbnail cue: ${JSON.stringify(block)}`);
      return {
        start: ms(match[1], match[2], match[3], match[4]),
        end: ms(match[5], match[6], match[7], match[8]),
        sheet: Number(match[9]),
        token: match[10],
        x: Number(match[11]),
        y: Number(match[12]),
        w: Number(match[13]),
        h: Number(match[14]),
      };
    });
}

describe('trickplayVtt', () => {
  it('writes one cue per thumbnail pointing at its tile', () => {
    expect(trickplayVtt(manifestFor(4000))).toBe(
      'WEBVTT\n\n' +
        '00:00:00.000 --> 00:00:01.000\ntrickplay/0.jpg#xywh=0,0,320,180\n\n' +
        '00:00:01.000 --> 00:00:02.000\ntrickplay/0.jpg#xywh=320,0,320,180\n\n' +
        '00:00:02.000 --> 00:00:03.000\ntrickplay/0.jpg#xywh=640,0,320,180\n\n' +
        '00:00:03.000 --> 00:00:04.000\ntrickplay/0.jpg#xywh=960,0,320,180\n\n',
    );
  });

  it('carries a stream token in every image URL, encoded', () => {
    const vtt = trickplayVtt(manifestFor(3000), 'abc.def+/=');
    expect(cues(vtt).every((cue) => cue.token === '?st=abc.def%2B%2F%3D')).toBe(true);
  });

  it('stretches the last cue to the end when ffmpeg gave fewer thumbnails than planned', () => {
    const list = cues(trickplayVtt(manifestFor(10_500, 8)));
    expect(list).toHaveLength(8);
    expect(list[7]).toMatchObject({ start: 7000, end: 10_500 });
  });

  it('cues are back to back from 0 to the duration, inside their sheets (any duration)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 * 3600_000 }), fc.integer({ min: 2, max: 400 }), (durationMs, tileHeight) => {
        const manifest = manifestFor(durationMs, undefined, tileHeight);
        const list = cues(trickplayVtt(manifest));
        expect(list).toHaveLength(manifest.thumbnailCount);
        expect(list[0].start).toBe(0);
        expect(list[list.length - 1].end).toBe(Math.max(durationMs, list[list.length - 1].start + 1));
        // Plain checks per cue (an expect per cue would make thousands of them per run).
        const broken = list.filter((cue, i) => {
          const sheet = manifest.sheets[cue.sheet];
          return (
            cue.end <= cue.start ||
            (i > 0 && cue.start !== list[i - 1].end) ||
            !sheet ||
            cue.x + cue.w > sheet.width ||
            cue.y + cue.h > sheet.height
          );
        });
        expect(broken).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

describe('isTrickplayManifest', () => {
  it('accepts a complete manifest and refuses broken ones', () => {
    const good = manifestFor(250_000);
    expect(isTrickplayManifest(good)).toBe(true);
    expect(isTrickplayManifest(null)).toBe(false);
    expect(isTrickplayManifest({ ...good, format: 2 })).toBe(false);
    expect(isTrickplayManifest({ ...good, intervalMs: 0 })).toBe(false);
    expect(isTrickplayManifest({ ...good, sheets: [] })).toBe(false);
    expect(isTrickplayManifest({ ...good, sheets: [{ width: 1, height: 'x', count: 1 }] })).toBe(false);
  });
});
