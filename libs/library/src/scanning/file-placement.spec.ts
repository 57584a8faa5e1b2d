import { type AudioTags, classifyPath, type LibraryKindName } from '@marquee/media';
import { audioTags } from '../../../../test/helpers/audio-tags.js';
import { archiveGallery, placeFile, type Placement } from './file-placement.js';

/** Classifies the path as a scan does, then places it. */
const place = (kind: LibraryKindName, relativePath: string, audio?: AudioTags): Placement | undefined =>
  placeFile(classifyPath(kind, relativePath), relativePath, { libraryName: 'My Library', tags: audio });

const leafOf = (placement: Placement | undefined) => {
  if (placement?.mode !== 'leaf') throw new Error(`expected a leaf placement, got ${JSON.stringify(placement)}`);
  return placement;
};

describe('placeFile', () => {
  describe('films', () => {
    it('makes a film a container its parts share, with the year and provider ids of its folder', () => {
      const first = place('movies', 'Kill Bill (2003) [imdbid-tt0266697]/Kill Bill (2003) - cd1.mkv');
      const second = place('movies', 'Kill Bill (2003) [imdbid-tt0266697]/Kill Bill (2003) - cd2.mkv');
      expect(first).toEqual({
        mode: 'container',
        container: {
          type: 'movie',
          groupKey: expect.stringMatching(/^movie:/),
          title: 'Kill Bill',
          year: 2003,
          providerIds: { imdb: 'tt0266697' },
        },
      });
      expect(second).toEqual(first);
      const other = place('movies', 'Kill Bill Vol. 2 (2004)/Kill Bill Vol. 2 (2004).mkv');
      expect(other?.mode === 'container' && other.container.groupKey).not.toBe(first?.mode === 'container' && first.container.groupKey);
    });

    it('makes an extra a leaf that remembers the folder of the film it belongs to', () => {
      expect(place('movies', 'Alien (1979)/Trailers/Alien trailer.mp4')).toEqual({
        mode: 'leaf',
        leaf: { type: 'extra', title: 'Alien trailer', extraType: 'trailer' },
        extraOwnerDir: 'Alien (1979)',
      });
    });
  });

  describe('episodes', () => {
    it('puts an episode under its season, under its series, with the series folder’s provider ids', () => {
      const { parent, leaf } = leafOf(place('series', 'Old Show (1999) [tvdbid-73244]/Season 1/Old Show - S01E02 - Pilot.mkv'));
      expect(parent).toEqual({
        type: 'season',
        groupKey: 'series:Old Show (1999) [tvdbid-73244]|season:1',
        title: 'Season 1',
        indexNumber: 1,
        parent: {
          type: 'series',
          groupKey: 'series:Old Show (1999) [tvdbid-73244]',
          title: 'Old Show',
          year: 1999,
          providerIds: { tvdb: '73244' },
        },
      });
      expect(leaf).toEqual({
        type: 'episode',
        title: 'Pilot',
        indexNumber: 2,
        indexNumberEnd: null,
        parentIndexNumber: 1,
        absoluteNumber: null,
        premiereDate: null,
      });
    });

    it('places 1x02 like S01E02, and names an untitled episode by its number', () => {
      const { parent, leaf } = leafOf(place('series', 'Show/Season 2/Show 2x05.mkv'));
      expect(parent).toMatchObject({ type: 'season', title: 'Season 2', indexNumber: 2 });
      expect(leaf).toMatchObject({ title: 'Episode 5', indexNumber: 5, parentIndexNumber: 2 });
    });

    it('spans a multi-episode file from its first to its last number', () => {
      expect(leafOf(place('series', 'Show/Season 1/Show - S01E02E03 - Double.mkv')).leaf).toMatchObject({
        title: 'Double',
        indexNumber: 2,
        indexNumberEnd: 3,
      });
    });

    it('puts Season 00 and Specials/ in season 0, titled "Specials"', () => {
      for (const path of ['Show/Season 00/Show - S00E01 - Making Of.mkv', 'Show/Specials/01 - Making Of.mkv']) {
        const { parent, leaf } = leafOf(place('series', path));
        expect([path, parent]).toEqual([
          path,
          {
            type: 'season',
            groupKey: 'series:Show|season:0',
            title: 'Specials',
            indexNumber: 0,
            parent: expect.objectContaining({ title: 'Show' }),
          },
        ]);
        expect(leaf).toMatchObject({ title: 'Making Of', indexNumber: 1, parentIndexNumber: 0 });
      }
    });

    it('hangs an absolute-numbered episode under its series, with no season', () => {
      const { parent, leaf } = leafOf(place('series', 'One Piece/One Piece - 1000.mkv'));
      expect(parent).toEqual({ type: 'series', groupKey: 'series:One Piece', title: 'One Piece', year: null, providerIds: {} });
      expect(leaf).toEqual({
        type: 'episode',
        title: 'Episode 1000',
        indexNumber: 1000,
        indexNumberEnd: null,
        parentIndexNumber: null,
        absoluteNumber: 1000,
        premiereDate: null,
      });
    });

    it('hangs a date-based episode under its series, dated by its air date', () => {
      const titled = leafOf(place('series', 'The Daily Show/The Daily Show - 2024-03-15 - Guest.mkv'));
      expect(titled.parent).toMatchObject({ type: 'series', groupKey: 'series:The Daily Show' });
      expect(titled.leaf).toMatchObject({ title: 'Guest', indexNumber: null, parentIndexNumber: null, premiereDate: '2024-03-15' });
      const untitled = leafOf(place('series', 'The Daily Show/The Daily Show 2024-03-16.mkv'));
      expect(untitled.leaf).toMatchObject({ title: '2024-03-16', premiereDate: '2024-03-16' });
    });

    it('groups loose release files by their series title, case and spacing aside', () => {
      const a = leafOf(place('series', 'Show.Name.S03E10.720p.HDTV.x264-GRP.mkv'));
      const b = leafOf(place('series', 'show name S03E11.mkv'));
      expect(a.parent?.parent?.groupKey).toBe('series:show name');
      expect(b.parent?.parent?.groupKey).toBe(a.parent?.parent?.groupKey);
      expect(b.parent?.groupKey).toBe(a.parent?.groupKey);
    });
  });

  describe('music', () => {
    it('needs the tags: without them a track has no place', () => {
      expect(place('music', 'Artist/Album/01.flac')).toBeUndefined();
    });

    it('puts a track under its album under its album artist, by tags and not by folder', () => {
      const audio = audioTags({
        title: 'First',
        artists: ['The Band', 'Guest'],
        albumArtist: 'The Band',
        album: 'Hi-Res Album',
        year: 2020,
        releaseDate: '2020-03-01',
        trackNumber: 1,
        discNumber: 2,
        genres: ['Jazz'],
      });
      const { parent, leaf } = leafOf(place('music', 'Somewhere/Else/01 First.flac', audio));
      expect(parent).toEqual({
        type: 'album',
        groupKey: 'tags:the band|hi-res album|2020-03-01',
        title: 'Hi-Res Album',
        year: 2020,
        premiereDate: '2020-03-01',
        artists: ['The Band'],
        providerIds: {},
        parent: { type: 'artist', groupKey: 'artist:the band', title: 'The Band' },
      });
      expect(leaf).toEqual({
        type: 'track',
        title: 'First',
        artists: ['The Band', 'Guest'],
        indexNumber: 1,
        parentIndexNumber: 2,
        albumTitle: 'Hi-Res Album',
        year: 2020,
        genres: ['Jazz'],
      });
    });

    it('keys an album by its MusicBrainz id and keeps the id', () => {
      const { parent } = leafOf(place('music', 'a.flac', audioTags({ album: 'Hits', albumArtist: 'X', musicbrainzAlbumId: 'ABC-1' })));
      expect(parent).toMatchObject({ groupKey: 'mb:abc-1', providerIds: { musicbrainzAlbum: 'ABC-1' } });
    });

    it('names an untitled track after its file', () => {
      expect(leafOf(place('music', 'Artist/Album/07 Something.mp3', audioTags({ artists: ['A'] }))).leaf.title).toBe('07 Something');
    });
  });

  describe('images', () => {
    it('makes each folder a gallery, and the library root one named after the library', () => {
      expect(place('images', 'Trips/Rome/IMG_0001.jpg')).toEqual({
        mode: 'leaf',
        parent: { type: 'gallery', groupKey: 'dir:Trips/Rome', title: 'Rome' },
        leaf: { type: 'image', title: 'IMG_0001' },
      });
      expect(leafOf(place('images', 'loose.png')).parent).toEqual({ type: 'gallery', groupKey: 'dir:', title: 'My Library' });
    });

    it('makes an archive a gallery of its own, keyed by its path', () => {
      expect(archiveGallery('Comics/Issue 1.cbz')).toEqual({ type: 'gallery', groupKey: 'zip:Comics/Issue 1.cbz', title: 'Issue 1' });
    });
  });

  it('places nothing for sidecars and ignored files', () => {
    for (const path of [
      'Alien (1979)/movie.nfo',
      'Alien (1979)/poster.jpg',
      'Alien (1979)/Alien (1979).en.srt',
      'notes.txt',
      '.hidden.mkv',
    ])
      expect([path, place('movies', path)]).toEqual([path, undefined]);
  });
});
