import { matchScore, normalizeTitle, titleSimilarity } from './match-score.js';

describe('match score', () => {
  it('normalises titles', () => {
    expect(normalizeTitle('The Matrix (1999)!')).toBe('matrix 1999');
    expect(normalizeTitle('Amélie')).toBe('amelie');
    expect(normalizeTitle('Fast & Furious')).toBe('fast and furious');
  });

  it('title similarity is 1 for the same title and falls with the difference', () => {
    expect(titleSimilarity('Alien', 'ALIEN')).toBe(1);
    expect(titleSimilarity('Alien', 'Aliens')).toBeGreaterThan(0.7);
    expect(titleSimilarity('Alien', 'Aliens')).toBeLessThan(1);
    expect(titleSimilarity('Alien', 'Blade Runner')).toBeLessThan(0.2);
    expect(titleSimilarity('', 'Alien')).toBe(0);
  });

  it('a shared provider id is a certain match', () => {
    expect(
      matchScore({ title: 'x', year: null, providerIds: { imdb: 'tt1' } }, { title: 'y', year: 2000, providerIds: { imdb: 'tt1' } }),
    ).toBe(1);
    expect(
      matchScore({ title: 'x', year: null, providerIds: { imdb: 'tt1' } }, { title: 'y', year: 2000, providerIds: { imdb: 'tt2' } }),
    ).toBeLessThan(0.5);
  });

  it('weighs the year', () => {
    const item = { title: 'Alien', year: 1979 };
    expect(matchScore(item, { title: 'Alien', year: 1979 })).toBe(1);
    expect(matchScore(item, { title: 'Alien', year: 1980 })).toBe(0.9);
    expect(matchScore(item, { title: 'Alien', year: 1986 })).toBe(0.8);
    expect(matchScore(item, { title: 'Alien', year: null })).toBe(0.9);
    expect(matchScore(item, { title: 'Alien', year: 1979 })).toBeGreaterThan(matchScore(item, { title: 'Aliens', year: 1986 }));
  });
});
