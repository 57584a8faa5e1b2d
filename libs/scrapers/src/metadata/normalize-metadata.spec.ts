import { normalizeMetadata } from './normalize-metadata.js';

describe('normalizeMetadata', () => {
  it('keeps what fits and converts numeric strings', () => {
    expect(
      normalizeMetadata(
        {
          title: '  Alien ',
          year: '1979-05-25',
          premiereDate: '1979-05-25T00:00:00Z',
          genres: ['Horror', 'Horror', ' ', 'SF'],
          studios: 'Brandywine / Fox',
          communityRating: '8.46',
          people: [{ name: 'Sigourney Weaver', role: 'actor', character: 'Ripley' }, { name: 'Nobody', role: 'caterer' }, 'x'],
          providerIds: { imdb: 'tt0078748', 'bad key': '1', tmdb: 348 },
          artwork: [
            { kind: 'poster', url: '/p.jpg' },
            { kind: 'poster', url: 'https://x.org/second.jpg' },
            { kind: 'wallpaper', url: 'https://x.org/w.jpg' },
            { kind: 'backdrop', url: 'javascript:alert(1)' },
          ],
        },
        'https://x.org/movies/1',
      ),
    ).toEqual({
      title: 'Alien',
      year: 1979,
      premiereDate: '1979-05-25',
      genres: ['Horror', 'SF'],
      studios: ['Brandywine', 'Fox'],
      communityRating: 8.46,
      people: [{ name: 'Sigourney Weaver', role: 'actor', character: 'Ripley' }],
      providerIds: { imdb: 'tt0078748', tmdb: '348' },
      artwork: [{ kind: 'poster', url: 'https://x.org/p.jpg' }],
    });
  });

  it('drops values out of range or of the wrong type', () => {
    expect(
      normalizeMetadata({ title: 42, year: 12, communityRating: 11, premiereDate: 'soon', overview: { a: 1 }, genres: 'x'.repeat(10) }),
    ).toEqual({
      title: '42',
      genres: ['x'.repeat(10)],
    });
    expect(normalizeMetadata(null)).toEqual({});
    expect(normalizeMetadata(['title'])).toEqual({});
  });
});
