import { classifyPath, type LibraryKindName, type PathClassification } from './classify-path.js';
import type { ExtraType } from './detect-extra.js';
import type { EpisodeInfo } from './parse-episode-path.js';
import type { MovieName } from './parse-movie-name.js';

const film = (groupKey: string, movie: Partial<MovieName> & Pick<MovieName, 'title' | 'year'>): PathClassification => ({
  kind: 'movie',
  movie: { part: null, edition: null, providerIds: {}, ...movie },
  groupKey,
});

const extra = (type: ExtraType, ownerDir: string, title: string): PathClassification => ({
  kind: 'extra',
  extra: { type, ownerDir },
  title,
});

const episode = (info: Partial<EpisodeInfo> & Pick<EpisodeInfo, 'seriesTitle' | 'seriesDir'>): PathClassification => ({
  kind: 'episode',
  episode: {
    seriesYear: null,
    seriesProviderIds: {},
    seasonNumber: null,
    episodeNumbers: [],
    absoluteNumber: null,
    airDate: null,
    episodeTitle: null,
    ...info,
  },
});

const sidecar = (kind: 'nfo' | 'artwork' | 'subtitle'): PathClassification => ({ kind: 'sidecar', sidecar: kind });
const ignored = (reason: string): PathClassification => ({ kind: 'ignored', reason });
const track: PathClassification = { kind: 'track' };
const image = (galleryDir: string): PathClassification => ({ kind: 'image', galleryDir });
const archive: PathClassification = { kind: 'archive' };

const cases: [LibraryKindName, string, PathClassification][] = [
  // ——— films: titles and years ———
  ['movies', 'Alien (1979)/Alien (1979).mkv', film('Alien (1979)::alien::1979', { title: 'Alien', year: 1979 })],
  ['movies', 'Alien.1979.1080p.BluRay.x264-GROUP.mkv', film('::alien::1979', { title: 'Alien', year: 1979 })],
  [
    'movies',
    'The.Matrix.Reloaded.2003.2160p.UHD.BluRay.REMUX.HDR.HEVC-GRP/The.Matrix.Reloaded.2003.2160p.UHD.BluRay.REMUX.HDR.HEVC-GRP.mkv',
    film('The.Matrix.Reloaded.2003.2160p.UHD.BluRay.REMUX.HDR.HEVC-GRP::the matrix reloaded::2003', {
      title: 'The Matrix Reloaded',
      year: 2003,
    }),
  ],
  [
    'movies',
    '2001 A Space Odyssey (1968)/2001 A Space Odyssey (1968).mkv',
    film('2001 A Space Odyssey (1968)::2001 a space odyssey::1968', { title: '2001 A Space Odyssey', year: 1968 }),
  ],
  ['movies', '1917 (2019).mp4', film('::1917::2019', { title: '1917', year: 2019 })],
  ['movies', '1917.2019.1080p.WEB-DL.DDP5.1.H.264-GRP.mkv', film('::1917::2019', { title: '1917', year: 2019 })],
  [
    'movies',
    'Blade Runner 2049 (2017)/Blade Runner 2049 (2017).mkv',
    film('Blade Runner 2049 (2017)::blade runner 2049::2017', { title: 'Blade Runner 2049', year: 2017 }),
  ],
  [
    'movies',
    'E.T.the.Extra-Terrestrial.1982.1080p.BluRay.x264.mkv',
    film('::e t the extra terrestrial::1982', { title: 'E.T. the Extra-Terrestrial', year: 1982 }),
  ],
  ['movies', 'Mr. & Mrs. Smith (2005).mkv', film('::mr mrs smith::2005', { title: 'Mr. & Mrs. Smith', year: 2005 })],
  ['movies', "Charlotte's Web.mkv", film('::charlotte s web::', { title: "Charlotte's Web", year: null })],
  ['movies', 'Movie.PROPER.1080p.WEB.x264-GRP.mkv', film('::movie::', { title: 'Movie', year: null })],
  ['movies', '(500) Days of Summer (2009).mkv', film('::500 days of summer::2009', { title: '(500) Days of Summer', year: 2009 })],
  ['movies', '[Group] Perfect Blue (1997) [1080p].mkv', film('::perfect blue::1997', { title: 'Perfect Blue', year: 1997 })],
  [
    'movies',
    'Harry Potter and the Deathly Hallows Part 1 (2010)/Harry Potter and the Deathly Hallows Part 1 (2010).mkv',
    film('Harry Potter and the Deathly Hallows Part 1 (2010)::harry potter and the deathly hallows part 1::2010', {
      title: 'Harry Potter and the Deathly Hallows Part 1',
      year: 2010,
    }),
  ],
  [
    'movies',
    '千と千尋の神隠し (2001)/千と千尋の神隠し (2001).mkv',
    film('千と千尋の神隠し (2001)::千と千尋の神隠し::2001', { title: '千と千尋の神隠し', year: 2001 }),
  ],
  ['movies', 'Amélie (2001)/Amélie (2001).mkv', film('Amélie (2001)::amélie::2001', { title: 'Amélie', year: 2001 })],
  ['movies', 'Collection/Alien (1979).mkv', film('Collection::alien::1979', { title: 'Alien', year: 1979 })],

  // ——— films: title from the folder ———
  ['movies', 'Alien (1979)/alien-1080p.mkv', film('Alien (1979)::alien::1979', { title: 'Alien', year: 1979 })],
  [
    'movies',
    'Heat (1995) {tmdb-949}/movie.mkv',
    film('Heat (1995) {tmdb-949}::heat::1995', { title: 'Heat', year: 1995, providerIds: { tmdb: '949' } }),
  ],
  ['movies', 'Kill Bill (2003)/pt3.mkv', film('Kill Bill (2003)::kill bill::2003', { title: 'Kill Bill', year: 2003, part: 3 })],
  ['movies', 'Movie (2000)/CD1/movie.avi', film('Movie (2000)::movie::2000', { title: 'Movie', year: 2000, part: 1 })],
  ['movies', 'Alien (1979)/BDMV/STREAM/00000.m2ts', film('Alien (1979)::alien::1979', { title: 'Alien', year: 1979 })],

  // ——— films: parts, editions, provider ids ———
  ['movies', 'Movie (2000)/Movie (2000) - cd1.avi', film('Movie (2000)::movie::2000', { title: 'Movie', year: 2000, part: 1 })],
  ['movies', 'Movie (2000)/Movie (2000) - cd2.avi', film('Movie (2000)::movie::2000', { title: 'Movie', year: 2000, part: 2 })],
  ['movies', 'Movie.2000.part2.mkv', film('::movie::2000', { title: 'Movie', year: 2000, part: 2 })],
  ['movies', 'Movie (2000)/Movie (2000) disc 1.mkv', film('Movie (2000)::movie::2000', { title: 'Movie', year: 2000, part: 1 })],
  ['movies', 'Movie (2000)/Movie (2000) dvd2.mkv', film('Movie (2000)::movie::2000', { title: 'Movie', year: 2000, part: 2 })],
  [
    'movies',
    "Movie (2000)/Movie (2000) {edition-Director's Cut}.mkv",
    film('Movie (2000)::movie::2000', { title: 'Movie', year: 2000, edition: "Director's Cut" }),
  ],
  [
    'movies',
    'Movie (2000)/Movie (2000) - Extended Edition.mkv',
    film('Movie (2000)::movie::2000', { title: 'Movie', year: 2000, edition: 'Extended Edition' }),
  ],
  [
    'movies',
    'Alien.1979.Directors.Cut.1080p.BluRay.x264.mkv',
    film('::alien::1979', { title: 'Alien', year: 1979, edition: 'Directors Cut' }),
  ],
  [
    'movies',
    'Alien (1979) [imdbid-tt0078748]/Alien (1979).mkv',
    film('Alien (1979) [imdbid-tt0078748]::alien::1979', { title: 'Alien', year: 1979, providerIds: { imdb: 'tt0078748' } }),
  ],
  [
    'movies',
    'Alien (1979) {imdb-tt0078748}/Alien (1979) [tmdbid-348].mkv',
    film('Alien (1979) {imdb-tt0078748}::alien::1979', { title: 'Alien', year: 1979, providerIds: { imdb: 'tt0078748', tmdb: '348' } }),
  ],

  // ——— film extras: folders and suffixes ———
  ['movies', 'Alien (1979)/Alien (1979)-trailer.mkv', extra('trailer', 'Alien (1979)', 'Alien (1979)-trailer')],
  ['movies', 'Alien (1979)/Alien (1979) - trailer.mp4', extra('trailer', 'Alien (1979)', 'Alien (1979) - trailer')],
  ['movies', 'Alien (1979)/Trailers/Teaser.mkv', extra('trailer', 'Alien (1979)', 'Teaser')],
  ['movies', 'Alien (1979)/Behind The Scenes/Making of.mkv', extra('behind-the-scenes', 'Alien (1979)', 'Making of')],
  ['movies', 'Alien (1979)/deleted scenes/Alternate ending.mkv', extra('deleted-scene', 'Alien (1979)', 'Alternate ending')],
  ['movies', 'Alien (1979)/Featurettes/Design.mkv', extra('featurette', 'Alien (1979)', 'Design')],
  ['movies', 'Alien (1979)/Extras/Interviews/Sigourney Weaver.mkv', extra('interview', 'Alien (1979)', 'Sigourney Weaver')],
  ['movies', 'Alien (1979)/Scenes/Opening.mkv', extra('scene', 'Alien (1979)', 'Opening')],
  ['movies', 'Alien (1979)/Shorts/Dust.mkv', extra('short', 'Alien (1979)', 'Dust')],
  ['movies', 'Alien (1979)/Other/Gallery.mkv', extra('extra', 'Alien (1979)', 'Gallery')],
  ['movies', 'Alien.1979.1080p.BluRay.x264-GRP/sample.mkv', extra('sample', 'Alien.1979.1080p.BluRay.x264-GRP', 'sample')],
  ['movies', 'Alien (1979)/Alien (1979)-sample.mkv', extra('sample', 'Alien (1979)', 'Alien (1979)-sample')],
  ['movies', 'Alien (1979)/Alien (1979)-behindthescenes.mkv', extra('behind-the-scenes', 'Alien (1979)', 'Alien (1979)-behindthescenes')],
  ['movies', 'Alien (1979)/Alien (1979)-deleted.mkv', extra('deleted-scene', 'Alien (1979)', 'Alien (1979)-deleted')],
  ['movies', 'Alien (1979)/Alien (1979)-featurette.mkv', extra('featurette', 'Alien (1979)', 'Alien (1979)-featurette')],
  ['movies', 'Alien (1979)/Alien (1979)-interview.mkv', extra('interview', 'Alien (1979)', 'Alien (1979)-interview')],
  ['movies', 'Alien (1979)/Alien (1979)-scene.mkv', extra('scene', 'Alien (1979)', 'Alien (1979)-scene')],
  ['movies', 'Alien (1979)/Alien (1979)-short.mkv', extra('short', 'Alien (1979)', 'Alien (1979)-short')],

  // ——— series: season/episode markers ———
  [
    'series',
    'Show/Season 01/Show - S01E02 - Name.mkv',
    episode({ seriesTitle: 'Show', seriesDir: 'Show', seasonNumber: 1, episodeNumbers: [2], episodeTitle: 'Name' }),
  ],
  ['series', 'Show/Season 1/S01E02.mkv', episode({ seriesTitle: 'Show', seriesDir: 'Show', seasonNumber: 1, episodeNumbers: [2] })],
  ['series', 'Show/S01E02E03.mkv', episode({ seriesTitle: 'Show', seriesDir: 'Show', seasonNumber: 1, episodeNumbers: [2, 3] })],
  [
    'series',
    'Show/Season 1/Show - S01E02-E03 - Double.mkv',
    episode({ seriesTitle: 'Show', seriesDir: 'Show', seasonNumber: 1, episodeNumbers: [2, 3], episodeTitle: 'Double' }),
  ],
  [
    'series',
    'Show/Season 1/Show S01E02-03.mkv',
    episode({ seriesTitle: 'Show', seriesDir: 'Show', seasonNumber: 1, episodeNumbers: [2, 3] }),
  ],
  ['series', 'Show/Season 2/Show 2x05.mkv', episode({ seriesTitle: 'Show', seriesDir: 'Show', seasonNumber: 2, episodeNumbers: [5] })],
  [
    'series',
    'Show/Season 1/1x02 - Pilot.mkv',
    episode({ seriesTitle: 'Show', seriesDir: 'Show', seasonNumber: 1, episodeNumbers: [2], episodeTitle: 'Pilot' }),
  ],
  [
    'series',
    'Doctor Who (2005)/Season 01/Doctor Who (2005) - s01e01 - Rose.mkv',
    episode({
      seriesTitle: 'Doctor Who',
      seriesYear: 2005,
      seriesDir: 'Doctor Who (2005)',
      seasonNumber: 1,
      episodeNumbers: [1],
      episodeTitle: 'Rose',
    }),
  ],
  [
    'series',
    'Show/Season 1/Show.S01E02.The.Name.1080p.WEB.x264-GRP.mkv',
    episode({ seriesTitle: 'Show', seriesDir: 'Show', seasonNumber: 1, episodeNumbers: [2], episodeTitle: 'The Name' }),
  ],
  [
    'series',
    'Show.Name.S03E10.720p.HDTV.x264-GRP.mkv',
    episode({ seriesTitle: 'Show Name', seriesDir: '', seasonNumber: 3, episodeNumbers: [10] }),
  ],
  [
    'series',
    'Show.Name.S01.1080p.WEB-DL/Show.Name.S01E01.1080p.WEB-DL.mkv',
    episode({ seriesTitle: 'Show Name', seriesDir: 'Show.Name.S01.1080p.WEB-DL', seasonNumber: 1, episodeNumbers: [1] }),
  ],
  [
    'series',
    'The Office (US) [tvdbid-73244]/Season 1/s01e02.mkv',
    episode({
      seriesTitle: 'The Office (US)',
      seriesDir: 'The Office (US) [tvdbid-73244]',
      seriesProviderIds: { tvdb: '73244' },
      seasonNumber: 1,
      episodeNumbers: [2],
    }),
  ],
  [
    'series',
    'Show {tmdb-1399}/Season 2024/Show S2024E05.mkv',
    episode({
      seriesTitle: 'Show',
      seriesDir: 'Show {tmdb-1399}',
      seriesProviderIds: { tmdb: '1399' },
      seasonNumber: 2024,
      episodeNumbers: [5],
    }),
  ],

  // ——— series: specials, folder-only numbers, absolute and date-based ———
  [
    'series',
    'Show (2005)/Season 00/Show (2005) - S00E01 - Unaired Pilot.mkv',
    episode({
      seriesTitle: 'Show',
      seriesYear: 2005,
      seriesDir: 'Show (2005)',
      seasonNumber: 0,
      episodeNumbers: [1],
      episodeTitle: 'Unaired Pilot',
    }),
  ],
  [
    'series',
    'Show/Specials/01 - Christmas.mkv',
    episode({ seriesTitle: 'Show', seriesDir: 'Show', seasonNumber: 0, episodeNumbers: [1], episodeTitle: 'Christmas' }),
  ],
  [
    'series',
    'Show/Season 01/02 - Name.mkv',
    episode({ seriesTitle: 'Show', seriesDir: 'Show', seasonNumber: 1, episodeNumbers: [2], episodeTitle: 'Name' }),
  ],
  ['series', 'Show/Season 01/Episode 4.mkv', episode({ seriesTitle: 'Show', seriesDir: 'Show', seasonNumber: 1, episodeNumbers: [4] })],
  ['series', 'One Piece/One Piece - 1000.mkv', episode({ seriesTitle: 'One Piece', seriesDir: 'One Piece', absoluteNumber: 1000 })],
  ['series', 'Show/Show - 112.mkv', episode({ seriesTitle: 'Show', seriesDir: 'Show', absoluteNumber: 112 })],
  ['series', '[SubsPlease] Frieren - 05 [1080p].mkv', episode({ seriesTitle: 'Frieren', seriesDir: '', absoluteNumber: 5 })],
  [
    'series',
    'Frieren/[SubsPlease] Frieren - 12 (1080p) [ABCD1234].mkv',
    episode({ seriesTitle: 'Frieren', seriesDir: 'Frieren', absoluteNumber: 12 }),
  ],
  [
    'series',
    'The Daily Show/The Daily Show - 2024-03-15 - Guest.mkv',
    episode({ seriesTitle: 'The Daily Show', seriesDir: 'The Daily Show', airDate: '2024-03-15', episodeTitle: 'Guest' }),
  ],
  [
    'series',
    'The.Daily.Show.2024.03.15.Guest.Name.720p.WEB.h264-GRP.mkv',
    episode({ seriesTitle: 'The Daily Show', seriesDir: '', airDate: '2024-03-15', episodeTitle: 'Guest Name' }),
  ],

  // ——— series: extras and what is not an episode ———
  ['series', 'Show/Season 01/Random.mkv', ignored('no season/episode in the name')],
  ['series', 'Show/Season 01/Extras/Making of.mkv', extra('extra', 'Show', 'Making of')],
  ['series', 'Show/Featurettes/Cast.mkv', extra('featurette', 'Show', 'Cast')],
  ['series', 'Show/Season 1/Show.S01E01.720p-sample.mkv', extra('sample', 'Show', 'Show.S01E01.720p-sample')],
  [
    'series',
    'Show/Season 1/Show - S01E05 - Scene.mkv',
    episode({ seriesTitle: 'Show', seriesDir: 'Show', seasonNumber: 1, episodeNumbers: [5], episodeTitle: 'Scene' }),
  ],
  ['series', 'Show/Season 1/S01E01.mp3', ignored('audio file in a series library')],

  // ——— music ———
  ['music', 'Artist/Album (2020)/01 - Track.flac', track],
  ['music', 'Artist/Album/01.opus', track],
  ['music', 'Artist/Album/Track.DSF', track],
  ['music', 'Artist/Album/cover.jpg', sidecar('artwork')],
  ['music', 'Artist/Album/booklet-page1.jpg', ignored('image file in a music library')],
  ['music', 'Artist/Album/video.mkv', ignored('video file in a music library')],
  ['music', 'Artist/Album/album.nfo', sidecar('nfo')],

  // ——— images ———
  ['images', 'Trips/2024 Japan/IMG_0001.JPG', image('Trips/2024 Japan')],
  ['images', 'root.png', image('')],
  ['images', 'Trips/poster.jpg', image('Trips')],
  ['images', 'Comics/issue1.cbz', archive],
  ['images', 'Scans/batch.zip', archive],
  ['images', 'Trips/clip.mp4', ignored('video file in an images library')],
  ['images', 'Trips/notes.nfo', ignored('nfo file in an images library')],

  // ——— mixed ———
  ['mixed', 'TV/Show/Season 1/S01E01.mkv', episode({ seriesTitle: 'Show', seriesDir: 'TV/Show', seasonNumber: 1, episodeNumbers: [1] })],
  ['mixed', 'TV/Show/Show 1x03.mkv', episode({ seriesTitle: 'Show', seriesDir: 'TV/Show', seasonNumber: 1, episodeNumbers: [3] })],
  ['mixed', 'Films/Alien (1979)/Alien (1979).mkv', film('Films/Alien (1979)::alien::1979', { title: 'Alien', year: 1979 })],
  ['mixed', 'Films/Alien (1979)/Alien (1979)-trailer.mkv', extra('trailer', 'Films/Alien (1979)', 'Alien (1979)-trailer')],
  ['mixed', 'Music/Artist/01 Song.mp3', track],
  ['mixed', 'Photos/a.jpg', image('Photos')],
  ['mixed', 'Photos/folder.jpg', sidecar('artwork')],
  ['mixed', 'Comics/x.zip', archive],

  // ——— sidecars ———
  ['movies', 'Alien (1979)/movie.nfo', sidecar('nfo')],
  ['movies', 'Alien (1979)/poster.jpg', sidecar('artwork')],
  ['movies', 'Alien (1979)/Alien (1979)-fanart.jpg', sidecar('artwork')],
  ['movies', 'Alien (1979)/Alien (1979).en.srt', sidecar('subtitle')],
  ['movies', 'Alien (1979)/screenshot.png', ignored('image file in a movies library')],
  ['movies', 'Alien (1979)/soundtrack.flac', ignored('audio file in a movies library')],
  ['series', 'Show/tvshow.nfo', sidecar('nfo')],
  ['series', 'Show/season01-poster.jpg', sidecar('artwork')],
  ['series', 'Show/season-specials-poster.jpg', sidecar('artwork')],
  ['series', 'Show/clearart.png', sidecar('artwork')],
  ['series', 'Show/extrafanart/abc123.jpg', sidecar('artwork')],
  ['series', 'Show/Season 01/Show - S01E01.ass', sidecar('subtitle')],

  // ——— ignored ———
  ['movies', '.hidden.mkv', ignored('hidden file or folder')],
  ['movies', 'Alien (1979)/._Alien (1979).mkv', ignored('hidden file or folder')],
  ['movies', '.Trash-1000/Alien (1979).mkv', ignored('hidden file or folder')],
  ['images', '@eaDir/IMG_1.jpg/SYNOPHOTO_THUMB_XL.jpg', ignored('system or recycle-bin folder')],
  ['movies', '#recycle/Alien (1979).mkv', ignored('system or recycle-bin folder')],
  ['movies', '$RECYCLE.BIN/Alien (1979).mkv', ignored('system or recycle-bin folder')],
  ['movies', 'lost+found/#12345.mkv', ignored('system or recycle-bin folder')],
  ['movies', 'Alien (1979)/Alien (1979).mkv.part', ignored('incomplete download')],
  ['movies', 'Alien (1979)/Alien (1979).mkv.partial', ignored('incomplete download')],
  ['series', 'Show/Season 1/S01E01.tmp', ignored('incomplete download')],
  ['movies', 'Alien (1979)/readme.txt', ignored('unsupported file type')],
];

describe('classifyPath', () => {
  test.each(cases)('%s: %s', (libraryKind, relativePath, expected) => {
    expect(classifyPath(libraryKind, relativePath)).toEqual(expected);
  });

  it('covers the table the scanner relies on', () => {
    expect(cases.length).toBeGreaterThanOrEqual(70);
  });

  it('gives every part of one film the same group key and other films another', () => {
    const key = (path: string) => {
      const result = classifyPath('movies', path);
      if (result.kind !== 'movie') throw new Error(`${path} is not a movie`);
      return result.groupKey;
    };
    expect(key('Movie (2000)/Movie (2000) - cd1.avi')).toBe(key('Movie (2000)/Movie (2000) - cd2.avi'));
    expect(key('Movie (2000)/CD1/movie.avi')).toBe(key('Movie (2000)/CD2/movie.avi'));
    expect(key('Movie (2000)/Movie (2000) - cd1.avi')).not.toBe(key('Other (2000)/Other (2000) - cd1.avi'));
    expect(key('Remakes/Movie (2000).mkv')).not.toBe(key('Remakes/Movie (2020).mkv'));
  });
});
