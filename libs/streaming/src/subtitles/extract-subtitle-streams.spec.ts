import { partsInput } from '../parts/concat-list.js';
import { extractSubtitleArgs } from './extract-subtitle-streams.js';

const file = (path: string) => partsInput([{ path, durationMs: 60_000 }], '/unused');

describe('extractSubtitleArgs', () => {
  it('maps each stream by index to its own WebVTT output in one pass', () => {
    const args = extractSubtitleArgs(file('/media/film.mkv'), [
      { streamIndex: 2, path: '/data/subtitles/a/2.vtt' },
      { streamIndex: 5, path: '/data/subtitles/a/5.vtt' },
    ]);
    expect(args.filter((arg) => arg === '-i')).toHaveLength(1);
    expect(args).toContain('file:/media/film.mkv');
    expect(args.join(' ')).toContain(
      '-map 0:2 -c:s webvtt -f webvtt file:/data/subtitles/a/2.vtt -map 0:5 -c:s webvtt -f webvtt file:/data/subtitles/a/5.vtt',
    );
  });

  it('names files with the file: protocol so a name cannot be read as another protocol or an option', () => {
    const args = extractSubtitleArgs(file('-evil:name.mkv'), [{ streamIndex: 0, path: 'http://x/y.vtt' }]);
    expect(args.some((arg) => arg.startsWith('-evil'))).toBe(false);
    expect(args.filter((arg) => arg.startsWith('file:'))).toHaveLength(2);
  });

  it('reads a film in parts through its concat list, so each track runs over every part', () => {
    const parts = partsInput(
      [
        { path: '/media/Film cd1.mkv', durationMs: 60_000 },
        { path: '/media/Film cd2.mkv', durationMs: 30_000 },
      ],
      '/data/subtitles/a/v/parts.ffconcat',
    );
    const args = extractSubtitleArgs(parts, [{ streamIndex: 2, path: '/data/subtitles/a/v/2.vtt' }]);
    expect(args.join(' ')).toContain('-f concat -safe 0 -i file:/data/subtitles/a/v/parts.ffconcat -map 0:2 ');
  });

  it.each([-1, 1.5, Number.NaN, 100_000, Number.POSITIVE_INFINITY])('refuses stream index %p', (index) => {
    expect(() => extractSubtitleArgs(file('/m.mkv'), [{ streamIndex: index, path: '/o.vtt' }])).toThrow(/not a stream index/);
  });

  it('refuses an empty list', () => expect(() => extractSubtitleArgs(file('/m.mkv'), [])).toThrow());
});
