import { normalizeProviderKey, parseProviderIds } from './provider-ids.js';

describe('parseProviderIds', () => {
  test.each([
    ['Alien (1979) [imdbid-tt0078748]', { imdb: 'tt0078748' }, 'Alien (1979)'],
    ['Alien (1979) [imdb-tt0078748]', { imdb: 'tt0078748' }, 'Alien (1979)'],
    ['Alien (1979) {imdb-tt0078748}', { imdb: 'tt0078748' }, 'Alien (1979)'],
    ['Alien (1979) {tmdbid=348}', { tmdb: '348' }, 'Alien (1979)'],
    ['Alien (1979) [tmdbid-348]', { tmdb: '348' }, 'Alien (1979)'],
    ['Show {tvdb-12345}', { tvdb: '12345' }, 'Show'],
    ['Show [tvdbid=12345]', { tvdb: '12345' }, 'Show'],
    ['Movie (tmdb=1)', { tmdb: '1' }, 'Movie'],
    ['Anime [anidbid-69]', { anidb: '69' }, 'Anime'],
    ['Show [tvmazeid-82]', { tvmaze: '82' }, 'Show'],
    ['Alien [imdbid-TT0078748] (1979) {tmdb-348}', { imdb: 'tt0078748', tmdb: '348' }, 'Alien (1979)'],
    ['Alien   [imdbid-tt0078748]   (1979)', { imdb: 'tt0078748' }, 'Alien (1979)'],
  ])('%s', (name, ids, cleaned) => {
    expect(parseProviderIds(name)).toEqual({ ids, cleaned });
  });

  test.each([
    ['a year in brackets', 'Alien (1979)'],
    ['a country in brackets', 'The Office (US)'],
    ['an unknown provider', 'Movie [foo-123]'],
    ['an IMDb token without a tt id', 'Movie [imdb-12345]'],
    ['a part marker', 'Movie (Part 2)'],
  ])('leaves %s alone', (_what, name) => {
    expect(parseProviderIds(name)).toEqual({ ids: {}, cleaned: name });
  });

  it('keeps the first id when a provider appears twice', () => {
    expect(parseProviderIds('Movie [tmdbid-1] {tmdb-2}').ids).toEqual({ tmdb: '1' });
  });
});

describe('normalizeProviderKey', () => {
  test.each([
    ['imdbid', 'imdb'],
    ['IMDb', 'imdb'],
    ['themoviedb', 'tmdb'],
    ['TMDB', 'tmdb'],
    ['thetvdb', 'tvdb'],
    ['tvdb_id', 'tvdb'],
    ['AniDB', 'anidb'],
    ['constructor', null],
    ['unknown', null],
  ])('%s → %s', (key, expected) => {
    expect(normalizeProviderKey(key)).toBe(expected);
  });
});
