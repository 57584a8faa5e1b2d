import { artworkKind, fileExtension, isArtworkFileName, mediaCategory, stripKnownExtension } from './media-category.js';

describe('mediaCategory', () => {
  test.each([
    ...['mkv', 'mp4', 'm4v', 'avi', 'mov', 'wmv', 'webm', 'ts', 'm2ts', 'mpg', 'mpeg', 'flv', 'ogv', '3gp'].map((ext) => [
      `film.${ext}`,
      'video',
    ]),
    ...['flac', 'mp3', 'm4a', 'aac', 'ogg', 'opus', 'wav', 'aiff', 'aif', 'alac', 'wma', 'ape', 'wv', 'dsf'].map((ext) => [
      `song.${ext}`,
      'audio',
    ]),
    ...['jpg', 'jpeg', 'png', 'webp', 'gif', 'bmp', 'tiff', 'avif', 'heic'].map((ext) => [`photo.${ext}`, 'image']),
    ['comic.zip', 'archive'],
    ['comic.cbz', 'archive'],
    ['movie.nfo', 'nfo'],
    ...['srt', 'ass', 'ssa', 'vtt', 'sub', 'idx', 'sup'].map((ext) => [`film.en.${ext}`, 'subtitle']),
    ['FILM.MKV', 'video'],
    ['Cover.JPG', 'image'],
    ['poster.jpg', 'image'],
    ['disc.iso', 'other'],
    ['notes.txt', 'other'],
    ['noextension', 'other'],
    ['.mkv', 'other'],
  ])('%s → %s', (fileName, category) => {
    expect(mediaCategory(fileName)).toBe(category);
  });

  it('reports artwork only when asked to', () => {
    expect(mediaCategory('poster.jpg', { detectArtwork: true })).toBe('artwork');
    expect(mediaCategory('Alien (1979)-fanart.png', { detectArtwork: true })).toBe('artwork');
    expect(mediaCategory('IMG_0001.jpg', { detectArtwork: true })).toBe('image');
    expect(mediaCategory('poster.mkv', { detectArtwork: true })).toBe('video');
  });
});

describe('artworkKind', () => {
  test.each([
    ['poster.jpg', 'poster'],
    ['Poster.PNG', 'poster'],
    ['Alien (1979)-poster.jpg', 'poster'],
    ['season01-poster.jpg', 'poster'],
    ['season-specials-poster.jpg', 'poster'],
    ['folder.jpg', 'cover'],
    ['cover.png', 'cover'],
    ['front.jpg', 'cover'],
    ['AlbumArtSmall.jpg', 'cover'],
    ['fanart.jpg', 'backdrop'],
    ['fanart2.jpg', 'backdrop'],
    ['backdrop-1.jpg', 'backdrop'],
    ['background.jpg', 'backdrop'],
    ['Alien (1979)-fanart.jpg', 'backdrop'],
    ['season01-fanart.jpg', 'backdrop'],
    ['banner.jpg', 'banner'],
    ['season02-banner.jpg', 'banner'],
    ['logo.png', 'logo'],
    ['clearlogo.png', 'logo'],
    ['Show-clearlogo.png', 'logo'],
    ['thumb.jpg', 'thumb'],
    ['landscape.jpg', 'thumb'],
    ['Show - S01E02 - Name-thumb.jpg', 'thumb'],
    ['clearart.png', null],
    ['disc.png', null],
    ['IMG_0001.jpg', null],
    ['postermaker.jpg', null],
    ['poster.mkv', null],
  ])('%s → %s', (fileName, kind) => {
    expect(artworkKind(fileName)).toBe(kind);
  });

  test.each([
    ['clearart.png', true],
    ['disc.png', true],
    ['Alien (1979)-discart.png', true],
    ['poster.jpg', true],
    ['holiday.jpg', false],
    ['fanart.txt', false],
  ])('isArtworkFileName(%s) → %s', (fileName, expected) => {
    expect(isArtworkFileName(fileName)).toBe(expected);
  });
});

describe('file name helpers', () => {
  it('reads the extension in lower case, ignoring a leading dot', () => {
    expect(fileExtension('Film.MKV')).toBe('mkv');
    expect(fileExtension('archive.tar.gz')).toBe('gz');
    expect(fileExtension('.hidden')).toBe('');
    expect(fileExtension('README')).toBe('');
  });

  it('strips only extensions it knows, so release names keep their dots', () => {
    expect(stripKnownExtension('Alien (1979).mkv')).toBe('Alien (1979)');
    expect(stripKnownExtension('Alien.1979.1080p.BluRay.x264-GROUP')).toBe('Alien.1979.1080p.BluRay.x264-GROUP');
    expect(stripKnownExtension('Dr. Strangelove')).toBe('Dr. Strangelove');
  });
});
