import type { ItemDetail } from '@marquee/contracts';
import { changesOf, formProblem, toForm } from './item-edit-form.js';

const item = {
  title: 'Alien',
  sortTitle: null,
  originalTitle: null,
  year: 1979,
  premiereDate: '1979-05-25T00:00:00.000Z',
  overview: 'In space.',
  tagline: null,
  genres: ['Horror', 'Sci-Fi'],
  tags: [],
  studios: ['Fox'],
  communityRating: 8.5,
  criticRating: null,
  officialRating: 'R',
} as unknown as ItemDetail;

describe('metadata editor form', () => {
  it('sends nothing for an untouched form', () => {
    expect(changesOf(item, toForm(item))).toEqual({});
  });

  it('sends only what changed, typed for the API', () => {
    const form = { ...toForm(item), title: ' Aliens ', year: '1986', genres: 'Horror, Action', overview: '', criticRating: '7' };
    expect(changesOf(item, form)).toEqual({ title: 'Aliens', year: 1986, genres: ['Horror', 'Action'], overview: null, criticRating: 7 });
  });

  it('passes fields to unlock', () => {
    expect(changesOf(item, toForm(item), ['overview'])).toEqual({ unlock: ['overview'] });
  });

  it('catches a bad form before sending', () => {
    expect(formProblem(toForm(item))).toBeNull();
    expect(formProblem({ ...toForm(item), title: '  ' })).toMatch(/title/);
    expect(formProblem({ ...toForm(item), year: '19.5' })).toMatch(/year/i);
    expect(formProblem({ ...toForm(item), communityRating: 'ten' })).toMatch(/communityRating/);
    expect(formProblem({ ...toForm(item), premiereDate: '25/05/1979' })).toMatch(/premiere/);
  });
});
