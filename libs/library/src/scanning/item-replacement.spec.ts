import { fileDerivedFields } from './item-replacement.js';

describe('fileDerivedFields', () => {
  it('takes an episode’s numbers from its file, never its title (an NFO may have named it)', () => {
    expect(
      fileDerivedFields({ type: 'episode', title: 'Pilot', indexNumber: 1, indexNumberEnd: 2, parentIndexNumber: 3, absoluteNumber: null }),
    ).toEqual({ indexNumber: 1, indexNumberEnd: 2, parentIndexNumber: 3, absoluteNumber: null });
  });

  it('takes everything a track’s tags say, clearing what the tags no longer hold', () => {
    expect(fileDerivedFields({ type: 'track', title: 'Hit', artists: ['A', 'B'], albumTitle: 'Now 2', indexNumber: 4 })).toEqual({
      title: 'Hit',
      artists: ['A', 'B'],
      albumTitle: 'Now 2',
      indexNumber: 4,
      parentIndexNumber: null,
      year: null,
      genres: [],
    });
  });

  it('takes an extra’s kind, and nothing of an image but its place', () => {
    expect(fileDerivedFields({ type: 'extra', title: 'Trailer', extraType: 'trailer' })).toEqual({ extraType: 'trailer' });
    expect(fileDerivedFields({ type: 'image', title: 'IMG_0001' })).toEqual({});
  });
});
