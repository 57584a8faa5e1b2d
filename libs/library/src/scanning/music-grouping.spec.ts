import { audioTags } from '../../../../test/helpers/audio-tags.js';
import { groupTrack, UNKNOWN_ALBUM, VARIOUS_ARTISTS } from './music-grouping.js';

describe('groupTrack', () => {
  it('groups by MusicBrainz album id when tagged, whatever the titles say', () => {
    const a = groupTrack(audioTags({ album: 'Abbey Road', albumArtist: 'The Beatles', musicbrainzAlbumId: 'ABC-1' }), 'x');
    const b = groupTrack(audioTags({ album: 'Abbey Road (Remaster)', albumArtist: 'Beatles', musicbrainzAlbumId: 'abc-1' }), 'y');
    expect(a.album.key).toBe('mb:abc-1');
    expect(b.album.key).toBe(a.album.key);
  });

  it('groups by album artist + album + date otherwise, case and spacing insensitive', () => {
    const a = groupTrack(audioTags({ album: 'Kind of Blue', albumArtist: 'Miles Davis', year: 1959, artists: ['Miles Davis'] }), 'x');
    const b = groupTrack(audioTags({ album: 'kind  of blue', albumArtist: 'MILES DAVIS', year: 1959, artists: ['John Coltrane'] }), 'y');
    const remaster = groupTrack(audioTags({ album: 'Kind of Blue', albumArtist: 'Miles Davis', year: 1997 }), 'z');
    expect(a.album.key).toBe(b.album.key);
    expect(remaster.album.key).not.toBe(a.album.key);
    expect(a.artist).toEqual({ key: 'artist:miles davis', title: 'Miles Davis' });
  });

  it('uses "Various Artists" for a compilation without album artist', () => {
    const g = groupTrack(audioTags({ album: 'Now 1', compilation: true, artists: ['Madonna'] }), 'x');
    expect(g.artist.title).toBe(VARIOUS_ARTISTS);
    expect(g.track.artists).toEqual(['Madonna']);
  });

  it('uses the first track artist when there is no album artist and no compilation flag', () => {
    const g = groupTrack(audioTags({ album: 'Solo', artists: ['Björk', 'Thom Yorke'] }), 'x');
    expect(g.artist.title).toBe('Björk');
    expect(g.track.artists).toEqual(['Björk', 'Thom Yorke']);
  });

  it('falls back to the file title and an unknown album', () => {
    const g = groupTrack(audioTags({}), '01 - Intro');
    expect(g.track.title).toBe('01 - Intro');
    expect(g.album.title).toBe(UNKNOWN_ALBUM);
    expect(g.artist.title).toBe('Unknown Artist');
  });

  it('keeps disc and track numbers and a full release date', () => {
    const g = groupTrack(
      audioTags({ album: 'A', albumArtist: 'B', discNumber: 2, trackNumber: 7, releaseDate: '2001-05-02', year: 2001 }),
      'x',
    );
    expect(g.track).toMatchObject({ discNumber: 2, trackNumber: 7 });
    expect(g.album.releaseDate).toBe('2001-05-02');
    expect(g.album.key).toBe('tags:b|a|2001-05-02');
  });
});
