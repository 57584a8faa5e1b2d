import { splitArtists } from './split-artists.js';

describe('splitArtists', () => {
  it('splits on " / ", " feat. ", " ft. ", "featuring" and ";"', () => {
    expect(splitArtists('Artist A / Artist B')).toEqual(['Artist A', 'Artist B']);
    expect(splitArtists('Daft Punk feat. Pharrell Williams')).toEqual(['Daft Punk', 'Pharrell Williams']);
    expect(splitArtists('Calvin Harris ft. Rihanna')).toEqual(['Calvin Harris', 'Rihanna']);
    expect(splitArtists('A Featuring B')).toEqual(['A', 'B']);
    expect(splitArtists('One; Two;Three')).toEqual(['One', 'Two', 'Three']);
    expect(splitArtists('A / B feat. C; D')).toEqual(['A', 'B', 'C', 'D']);
  });

  it('reads bracketed credits: "A (feat. B)" and "A [ft. B & C]"', () => {
    expect(splitArtists('Mark Ronson (feat. Bruno Mars)')).toEqual(['Mark Ronson', 'Bruno Mars']);
    expect(splitArtists('DJ X [ft. Simon & Garfunkel]')).toEqual(['DJ X', 'Simon & Garfunkel']);
  });

  it('keeps names that contain &, "and", commas or a bare slash whole', () => {
    expect(splitArtists('Simon & Garfunkel')).toEqual(['Simon & Garfunkel']);
    expect(splitArtists('Earth, Wind & Fire')).toEqual(['Earth, Wind & Fire']);
    expect(splitArtists('AC/DC')).toEqual(['AC/DC']);
    expect(splitArtists('Belle and Sebastian')).toEqual(['Belle and Sebastian']);
    expect(splitArtists('Featurette')).toEqual(['Featurette']);
  });

  it('trims, drops empty parts and duplicates (case-insensitively), and keeps the order', () => {
    expect(splitArtists('  B  /  A ; b ; ')).toEqual(['B', 'A']);
    expect(splitArtists('')).toEqual([]);
    expect(splitArtists('東京事変 feat. 椎名林檎')).toEqual(['東京事変', '椎名林檎']);
  });
});
