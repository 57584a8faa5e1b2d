import type { NfoMetadata } from '@marquee/media';
import { episodeEntry } from './episode-nfo.js';

const entry = (episode: number | undefined, fields: Partial<NfoMetadata> = {}): NfoMetadata => ({
  kind: 'episode',
  genres: [],
  tags: [],
  studios: [],
  people: [],
  providerIds: {},
  locked: false,
  season: 1,
  episode,
  ...fields,
});

describe('episodeEntry', () => {
  it('joins the titles and plots of every episode a multi-episode file covers, in episode order', () => {
    const entries = [
      entry(14, { title: 'Fourteen', plot: 'Second half.', premiered: '2020-01-14' }),
      entry(13, { title: 'Thirteen', plot: 'First half.', premiered: '2020-01-07', providerIds: { tvdb: '13' } }),
      entry(15, { title: 'Fifteen', plot: 'Not in this file.' }),
    ];
    expect(episodeEntry(entries, 13, 14)).toEqual({
      ...entries[1],
      title: 'Thirteen / Fourteen',
      plot: 'First half.\n\nSecond half.',
    });
  });

  it('skips missing titles and plots instead of joining empty ones', () => {
    const entries = [entry(2, { title: 'Two' }), entry(3, { plot: 'Only a plot.' }), entry(4, { title: 'Four' })];
    expect(episodeEntry(entries, 2, 4)).toMatchObject({ title: 'Two / Four', plot: 'Only a plot.' });
    expect(episodeEntry([entry(2), entry(3)], 2, 3)).toMatchObject({ title: undefined, plot: undefined });
  });

  it('takes the single matching entry of a one-episode item, whatever its place in the file', () => {
    const entries = [entry(6, { title: 'Six' }), entry(5, { title: 'Five' })];
    expect(episodeEntry(entries, 5, null)).toBe(entries[1]);
    expect(episodeEntry(entries, 5, 5)).toBe(entries[1]);
  });

  it('falls back to the first entry when nothing matches or the item has no episode number', () => {
    const entries = [entry(undefined, { title: 'No number' }), entry(9, { title: 'Nine' })];
    expect(episodeEntry(entries, 1, 2)).toBe(entries[0]);
    expect(episodeEntry(entries, null, null)).toBe(entries[0]);
    expect(episodeEntry([], 1, 2)).toBeUndefined();
  });
});
