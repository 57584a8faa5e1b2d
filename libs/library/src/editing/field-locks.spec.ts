import { ALL_FIELDS, artworkLock, changedFields, isLocked, mergeUnlocked, sameValue, updateLocks } from './field-locks.js';

interface Item {
  title: string;
  year: number | null;
  genres: string[];
  providerIds: Record<string, string>;
  people: { name: string; role: string; character?: string }[];
  premiereDate: string | null;
  lockedFields: string[];
}

const item = (): Item => ({
  title: 'Alien',
  year: 1979,
  genres: ['Horror', 'Science Fiction'],
  providerIds: { imdb: 'tt0078748', tmdb: '348' },
  people: [{ name: 'Sigourney Weaver', role: 'actor', character: 'Ripley' }],
  premiereDate: '1979-05-25',
  lockedFields: [],
});

describe('isLocked', () => {
  it('is false with no locks', () => {
    expect(isLocked([], 'title')).toBe(false);
    expect(isLocked(null, 'title')).toBe(false);
    expect(isLocked(undefined, 'title')).toBe(false);
  });

  it('locks exactly the named fields', () => {
    expect(isLocked(['title', 'genres'], 'title')).toBe(true);
    expect(isLocked(['title', 'genres'], 'genres')).toBe(true);
    expect(isLocked(['title', 'genres'], 'year')).toBe(false);
    expect(isLocked(['title'], 'Title')).toBe(false);
  });

  it('a "*" lock (NFO <lockdata>) locks every metadata field but not artwork', () => {
    for (const field of ['title', 'year', 'overview', 'people', 'providerIds', 'anythingElse']) {
      expect([field, isLocked([ALL_FIELDS], field)]).toEqual([field, true]);
    }
    expect(isLocked([ALL_FIELDS], artworkLock('poster'))).toBe(false);
  });

  it('artwork is locked per kind', () => {
    expect(artworkLock('poster')).toBe('artwork.poster');
    expect(isLocked(['artwork.poster'], 'artwork.poster')).toBe(true);
    expect(isLocked(['artwork.poster'], 'artwork.backdrop')).toBe(false);
    expect(isLocked(['artwork.poster'], 'title')).toBe(false);
  });
});

describe('sameValue', () => {
  it('compares primitives, null and undefined', () => {
    expect(sameValue('a', 'a')).toBe(true);
    expect(sameValue('a', 'b')).toBe(false);
    expect(sameValue(1, 1)).toBe(true);
    expect(sameValue(1, '1')).toBe(false);
    expect(sameValue(null, undefined)).toBe(true);
    expect(sameValue(null, 0)).toBe(false);
    expect(sameValue('', null)).toBe(false);
    expect(sameValue(Number.NaN, Number.NaN)).toBe(true);
  });

  it('compares arrays in order and objects by content', () => {
    expect(sameValue(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameValue(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(sameValue(['a'], ['a', 'a'])).toBe(false);
    expect(sameValue({ imdb: 'tt1', tmdb: '2' }, { tmdb: '2', imdb: 'tt1' })).toBe(true);
    expect(sameValue({ imdb: 'tt1' }, { imdb: 'tt1', tmdb: '2' })).toBe(false);
    expect(sameValue([{ name: 'A', role: 'actor' }], [{ role: 'actor', name: 'A' }])).toBe(true);
    expect(sameValue([{ name: 'A', role: 'actor' }], [{ name: 'A', role: 'actor', character: 'X' }])).toBe(false);
    expect(sameValue({ a: 1 }, [1])).toBe(false);
  });

  it('compares dates by instant', () => {
    expect(sameValue(new Date(1000), new Date(1000))).toBe(true);
    expect(sameValue(new Date(1000), new Date(2000))).toBe(false);
    expect(sameValue(new Date(1000), 1000)).toBe(false);
  });
});

describe('mergeUnlocked', () => {
  it('returns only the changed fields', () => {
    const incoming: Partial<Item> = {
      title: 'Alien',
      year: 1980,
      genres: ['Horror', 'Science Fiction'],
      providerIds: { tmdb: '348', imdb: 'tt0078748' },
      premiereDate: '1979-06-22',
    };
    expect(mergeUnlocked(item(), incoming, [])).toEqual({ year: 1980, premiereDate: '1979-06-22' });
  });

  it('never returns a locked field, even when it changed', () => {
    const incoming: Partial<Item> = { title: 'Alien (Director’s Cut)', year: 2003, genres: ['Horror'] };
    expect(mergeUnlocked(item(), incoming, ['title', 'genres'])).toEqual({ year: 2003 });
  });

  it('writes nothing at all under a "*" lock', () => {
    const incoming: Partial<Item> = { title: 'Other', year: 2000, genres: [], people: [] };
    expect(mergeUnlocked(item(), incoming, [ALL_FIELDS])).toEqual({});
  });

  it('skips undefined values but passes null (clearing a field is a change)', () => {
    const incoming: Partial<Item> = { title: undefined, year: null };
    const result = mergeUnlocked(item(), incoming, []);
    expect(result).toEqual({ year: null });
    expect(Object.keys(result)).toEqual(['year']);
  });

  it('sees a changed person or provider id inside nested values', () => {
    const incoming: Partial<Item> = {
      people: [{ name: 'Sigourney Weaver', role: 'actor', character: 'Ellen Ripley' }],
      providerIds: { imdb: 'tt0078748', tmdb: '348', tvdb: '1' },
    };
    expect(mergeUnlocked(item(), incoming, ['year'])).toEqual(incoming);
  });

  it('does not modify its inputs', () => {
    const current = item();
    const incoming: Partial<Item> = { year: 1999 };
    mergeUnlocked(current, incoming, ['title']);
    expect(current).toEqual(item());
    expect(incoming).toEqual({ year: 1999 });
  });
});

describe('changedFields and updateLocks', () => {
  it('lists the fields an edit changes, locks or not', () => {
    const current = { ...item(), lockedFields: ['title'] };
    expect(changedFields(current, { title: 'Aliens', year: 1979, genres: ['Horror'] })).toEqual(['title', 'genres']);
  });

  it('adds locks without duplicates, then removes the unlocked ones', () => {
    expect(updateLocks(['title'], ['year', 'title'])).toEqual(['title', 'year']);
    expect(updateLocks(['title', 'year'], [], ['title'])).toEqual(['year']);
    expect(updateLocks(['title'], ['genres'], ['genres'])).toEqual(['title']);
    expect(updateLocks(null, ['overview'])).toEqual(['overview']);
  });
});
