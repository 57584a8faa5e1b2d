import type { AudioTags } from '@marquee/media';

export const VARIOUS_ARTISTS = 'Various Artists';
export const UNKNOWN_ARTIST = 'Unknown Artist';
export const UNKNOWN_ALBUM = 'Unknown Album';

export interface TrackGrouping {
  artist: { key: string; title: string };
  album: {
    key: string;
    title: string;
    year: number | null;
    releaseDate: string | null;
    artists: string[];
    musicbrainzAlbumId: string | null;
  };
  track: {
    title: string;
    artists: string[];
    trackNumber: number | null;
    discNumber: number | null;
  };
}

const normalise = (value: string) => value.normalize('NFKC').trim().toLocaleLowerCase().replace(/\s+/g, ' ');

/**
 * Music is grouped by its tags, not its folders: the album is its MusicBrainz release id when
 * tagged, else album artist + album title + release date. The album artist falls back to "Various
 * Artists" for compilations and to the first track artist otherwise.
 */
export function groupTrack(tags: AudioTags, fileTitle: string): TrackGrouping {
  const trackArtists = tags.artists.length > 0 ? tags.artists : tags.albumArtist ? [tags.albumArtist] : [UNKNOWN_ARTIST];
  const albumArtist = tags.albumArtist?.trim() || (tags.compilation ? VARIOUS_ARTISTS : trackArtists[0]);
  const albumTitle = tags.album?.trim() || UNKNOWN_ALBUM;
  const date = tags.releaseDate ?? (tags.year ? String(tags.year) : '');
  const albumKey = tags.musicbrainzAlbumId
    ? `mb:${tags.musicbrainzAlbumId.toLowerCase()}`
    : `tags:${normalise(albumArtist)}|${normalise(albumTitle)}|${date}`;
  return {
    artist: { key: `artist:${normalise(albumArtist)}`, title: albumArtist },
    album: {
      key: albumKey,
      title: albumTitle,
      year: tags.year,
      releaseDate: /^\d{4}-\d{2}-\d{2}$/.test(tags.releaseDate ?? '') ? tags.releaseDate : null,
      artists: [albumArtist],
      musicbrainzAlbumId: tags.musicbrainzAlbumId,
    },
    track: {
      title: tags.title?.trim() || fileTitle,
      artists: trackArtists,
      trackNumber: tags.trackNumber,
      discNumber: tags.discNumber,
    },
  };
}
