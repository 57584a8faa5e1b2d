import { filmParts } from './film-parts.js';

const folders = ['/media/films'];
const files = (...paths: string[]) => paths.map((path) => ({ path: `/media/films/${path}` }));
const played = (...paths: string[]) => filmParts(files(...paths), folders).map((file) => file.path.slice('/media/films/'.length));

describe('filmParts', () => {
  it('plays numbered parts one after the other, by part number', () => {
    expect(played('Kill Bill (2003)/Kill Bill (2003) - cd1.mkv', 'Kill Bill (2003)/Kill Bill (2003) - cd2.mkv')).toEqual([
      'Kill Bill (2003)/Kill Bill (2003) - cd1.mkv',
      'Kill Bill (2003)/Kill Bill (2003) - cd2.mkv',
    ]);
    expect(played('Movie (2000)/Movie (2000) - part10.avi', 'Movie (2000)/Movie (2000) - part2.avi')).toEqual([
      'Movie (2000)/Movie (2000) - part2.avi',
      'Movie (2000)/Movie (2000) - part10.avi',
    ]);
    expect(played('Movie (2000)/CD2/movie.avi', 'Movie (2000)/CD1/movie.avi')).toEqual([
      'Movie (2000)/CD1/movie.avi',
      'Movie (2000)/CD2/movie.avi',
    ]);
  });

  it('plays one of several versions, never all of them', () => {
    expect(played('Alien (1979)/Alien (1979) - 1080p.mkv', 'Alien (1979)/Alien (1979) - 2160p.mkv')).toEqual([
      'Alien (1979)/Alien (1979) - 1080p.mkv',
    ]);
    // A part and a file without one, or the same part twice: not a set of parts.
    expect(played('Movie (2000)/Movie (2000) - cd1.mkv', 'Movie (2000)/Movie (2000).mkv')).toEqual(['Movie (2000)/Movie (2000) - cd1.mkv']);
    expect(played('A/Movie (2000) - cd1.mkv', 'B/Movie (2000) - cd1.mkv')).toEqual(['A/Movie (2000) - cd1.mkv']);
  });

  it('a single file, or none, is what it is; a file outside the folders is no part', () => {
    expect(played('Alien (1979)/Alien (1979).mkv')).toEqual(['Alien (1979)/Alien (1979).mkv']);
    expect(filmParts([], folders)).toEqual([]);
    expect(filmParts([{ path: '/elsewhere/Movie - cd1.mkv' }, { path: '/elsewhere/Movie - cd2.mkv' }], folders)).toEqual([
      { path: '/elsewhere/Movie - cd1.mkv' },
    ]);
  });
});
