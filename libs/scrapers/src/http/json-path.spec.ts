import { readPath } from './json-path.js';

describe('readPath', () => {
  const doc = { movie: { title: 'Alien', genres: [{ name: 'Horror' }, { name: 'SF' }, {}], ids: { imdb: 'tt1' }, list: ['a', 'b'] } };

  it('walks objects, indexes and maps over arrays', () => {
    expect(readPath(doc, 'movie.title')).toBe('Alien');
    expect(readPath(doc, 'movie.genres.*.name')).toEqual(['Horror', 'SF']);
    expect(readPath(doc, 'movie.genres.1.name')).toBe('SF');
    expect(readPath(doc, 'movie.list.*')).toEqual(['a', 'b']);
    expect(readPath(doc, '')).toBe(doc);
  });

  it('gives undefined for missing steps and never reads inherited properties', () => {
    expect(readPath(doc, 'movie.nothing.here')).toBeUndefined();
    expect(readPath(doc, 'movie.title.length')).toBeUndefined();
    expect(readPath(doc, 'movie.genres.name')).toBeUndefined();
    expect(readPath(doc, 'movie.constructor')).toBeUndefined();
    expect(readPath(doc, '__proto__')).toBeUndefined();
    expect(readPath(doc, 'movie.ids.*')).toBeUndefined();
  });
});
