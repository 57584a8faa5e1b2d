import { cueAt, parseTrickplayVtt } from './trickplay.js';

const VTT = `WEBVTT

00:00:00.000 --> 00:00:10.000
trickplay/0.jpg#xywh=0,0,320,180

00:00:10.000 --> 00:00:20.000
trickplay/0.jpg#xywh=320,0,320,180

01:00:20.000 --> 01:00:30.500
trickplay/1.jpg#xywh=0,180,320,180
`;

describe('trickplay track', () => {
  const base = 'http://host/api/v1/items/abc/trickplay.vtt?st=token';
  const cues = parseTrickplayVtt(VTT, base);

  it('parses cues and resolves sprite URLs against the track', () => {
    expect(cues).toHaveLength(3);
    expect(cues[1]).toEqual({
      startMs: 10_000,
      endMs: 20_000,
      image: 'http://host/api/v1/items/abc/trickplay/0.jpg',
      x: 320,
      y: 0,
      w: 320,
      h: 180,
    });
    expect(cues[2].startMs).toBe(3_620_000);
    expect(cues[2].endMs).toBe(3_630_500);
  });

  it('finds the cue at a time', () => {
    expect(cueAt(cues, 0)?.x).toBe(0);
    expect(cueAt(cues, 15_000)?.x).toBe(320);
    expect(cueAt(cues, 20_000)).toBeNull();
    expect(cueAt(cues, 3_625_000)?.image).toMatch(/1\.jpg$/);
    expect(cueAt([], 5)).toBeNull();
  });
});
