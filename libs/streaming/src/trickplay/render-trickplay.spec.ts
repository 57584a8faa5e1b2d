import { pictureFilters } from '@marquee/media';
import { frameArgs } from './render-trickplay.js';

describe('frameArgs', () => {
  it('samples one frame per interval at the tile width, capped at the planned count', () => {
    const args = frameArgs('/media/film.mkv', '/data/trickplay/x/.tmp-1/frames', { intervalMs: 2000, frameCount: 30 }, 320);
    expect(args).toContain('file:/media/film.mkv');
    expect(args[args.indexOf('-vf') + 1]).toBe('fps=1000/2000,scale=trunc(iw*sar/2)*2:ih,setsar=1,scale=320:-2');
    expect(args[args.indexOf('-frames:v') + 1]).toBe('30');
    expect(args[args.length - 1]).toBe('file:/data/trickplay/x/.tmp-1/frames/%05d.jpg');
  });

  it('makes whole SDR frames of an interlaced HDR source before sampling them', () => {
    const args = frameArgs('/media/film.mkv', '/o', { intervalMs: 2000, frameCount: 30 }, 320, { deinterlace: true, toneMap: 'pq' });
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

  it.each([
    [{ intervalMs: 0, frameCount: 1 }, 320],
    [{ intervalMs: 1.5, frameCount: 1 }, 320],
    [{ intervalMs: 1000, frameCount: 0 }, 320],
    [{ intervalMs: 1000, frameCount: 1 }, 8],
    [{ intervalMs: 1000, frameCount: 1 }, Number.NaN],
  ])('refuses %p at width %p', (plan, width) => expect(() => frameArgs('/m.mkv', '/o', plan, width)).toThrow());
});
