import { pictureFilters } from '@marquee/media';
import { partsInput } from '../parts/concat-list.js';
import { frameArgs } from './render-trickplay.js';

const film = partsInput([{ path: '/media/film.mkv', durationMs: 60_000 }], '/unused');

describe('frameArgs', () => {
  it('samples one frame per interval at the tile width, capped at the planned count', () => {
    const args = frameArgs(film, '/data/trickplay/x/.tmp-1/frames', { intervalMs: 2000, frameCount: 30 }, 320);
    expect(args.slice(args.indexOf('-i'), args.indexOf('-i') + 2)).toEqual(['-i', 'file:/media/film.mkv']);
    expect(args[args.indexOf('-vf') + 1]).toBe('fps=1000/2000,scale=trunc(iw*sar/2)*2:ih,setsar=1,scale=320:-2');
    expect(args[args.indexOf('-frames:v') + 1]).toBe('30');
    expect(args[args.length - 1]).toBe('file:/data/trickplay/x/.tmp-1/frames/%05d.jpg');
  });

  it('makes whole SDR frames of an interlaced HDR source before sampling them', () => {
    const args = frameArgs(film, '/o', { intervalMs: 2000, frameCount: 30 }, 320, { deinterlace: true, toneMap: 'pq' });
    expect(args[args.indexOf('-vf') + 1]).toBe(
      [
        ...pictureFilters({ deinterlace: true, toneMap: 'pq' }),
        'fps=1000/2000',
        'scale=trunc(iw*sar/2)*2:ih',
        'setsar=1',
        'scale=320:-2',
      ].join(','),
    );
    expect(args[args.indexOf('-vf') + 1]).toMatch(/^bwdif=.*tonemap=/);
  });

  it('reads a film in parts through the concat list, as one timeline', () => {
    const parts = partsInput(
      [
        { path: '/media/Film cd1.mkv', durationMs: 60_000 },
        { path: '/media/Film cd2.mkv', durationMs: 30_000 },
      ],
      '/data/trickplay/x/.tmp-1/parts.ffconcat',
    );
    const args = frameArgs(parts, '/o', { intervalMs: 10_000, frameCount: 9 }, 320);
    expect(args.slice(args.indexOf('-f'), args.indexOf('-i') + 2)).toEqual([
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      'file:/data/trickplay/x/.tmp-1/parts.ffconcat',
    ]);
  });

  it.each([
    [{ intervalMs: 0, frameCount: 1 }, 320],
    [{ intervalMs: 1.5, frameCount: 1 }, 320],
    [{ intervalMs: 1000, frameCount: 0 }, 320],
    [{ intervalMs: 1000, frameCount: 1 }, 8],
    [{ intervalMs: 1000, frameCount: 1 }, Number.NaN],
  ])('refuses %p at width %p', (plan, width) => expect(() => frameArgs(film, '/o', plan, width)).toThrow());
});
