import { basename, extname } from 'node:path';
import type { MediaItemType } from '@marquee/contracts';
import type { AudioTags, PathClassification } from '@marquee/media';
import type { ContainerSpec } from './container-resolver.js';
import { groupTrack } from './music-grouping.js';

/** The columns of an item that is simply its file (an episode, a track, an image, an extra). */
export interface LeafFields {
  type: MediaItemType;
  title: string;
  year?: number | null;
  indexNumber?: number | null;
  indexNumberEnd?: number | null;
  parentIndexNumber?: number | null;
  absoluteNumber?: number | null;
  premiereDate?: string | null;
  extraType?: string | null;
  artists?: string[];
  albumTitle?: string | null;
  genres?: string[];
}

/** Where a new file goes in the catalogue. */
export type Placement =
  /** A film: the file is one part of the film item (several parts share it). */
  { mode: 'container'; container: ContainerSpec } | { mode: 'leaf'; parent?: ContainerSpec; leaf: LeafFields; extraOwnerDir?: string };

const normaliseKey = (value: string) => value.normalize('NFKC').trim().toLocaleLowerCase().replace(/\s+/g, ' ');
const stem = (relativePath: string) => basename(relativePath, extname(relativePath));

export function placeFile(
  classification: PathClassification,
  relativePath: string,
  context: { libraryName: string; tags?: AudioTags },
): Placement | undefined {
  switch (classification.kind) {
    case 'movie': {
      const { movie } = classification;
      return {
        mode: 'container',
        container: {
          type: 'movie',
          groupKey: `movie:${classification.groupKey}`,
          title: movie.title,
          year: movie.year,
          providerIds: movie.providerIds,
        },
      };
    }
    case 'extra':
      return {
        mode: 'leaf',
        leaf: { type: 'extra', title: classification.title, extraType: classification.extra.type },
        extraOwnerDir: classification.extra.ownerDir,
      };
    case 'episode': {
      const { episode } = classification;
      const series: ContainerSpec = {
        type: 'series',
        groupKey: `series:${episode.seriesDir ? episode.seriesDir : normaliseKey(episode.seriesTitle)}`,
        title: episode.seriesTitle,
        year: episode.seriesYear,
        providerIds: episode.seriesProviderIds,
      };
      const season: ContainerSpec | undefined =
        episode.seasonNumber === null
          ? undefined
          : {
              type: 'season',
              groupKey: `${series.groupKey}|season:${episode.seasonNumber}`,
              title: episode.seasonNumber === 0 ? 'Specials' : `Season ${episode.seasonNumber}`,
              indexNumber: episode.seasonNumber,
              parent: series,
            };
      const [first] = episode.episodeNumbers;
      const last = episode.episodeNumbers.at(-1);
      const fallbackTitle =
        first !== undefined
          ? `Episode ${first}`
          : (episode.airDate ?? (episode.absoluteNumber !== null ? `Episode ${episode.absoluteNumber}` : stem(relativePath)));
      return {
        mode: 'leaf',
        parent: season ?? series,
        leaf: {
          type: 'episode',
          title: episode.episodeTitle ?? fallbackTitle,
          indexNumber: first ?? episode.absoluteNumber ?? null,
          indexNumberEnd: last !== undefined && last !== first ? last : null,
          parentIndexNumber: episode.seasonNumber,
          absoluteNumber: episode.absoluteNumber,
          premiereDate: episode.airDate,
        },
      };
    }
    case 'track': {
      if (!context.tags) return undefined;
      const grouping = groupTrack(context.tags, stem(relativePath));
      const artist: ContainerSpec = { type: 'artist', groupKey: grouping.artist.key, title: grouping.artist.title };
      const album: ContainerSpec = {
        type: 'album',
        groupKey: grouping.album.key,
        title: grouping.album.title,
        year: grouping.album.year,
        premiereDate: grouping.album.releaseDate,
        artists: grouping.album.artists,
        providerIds: grouping.album.musicbrainzAlbumId ? { musicbrainzAlbum: grouping.album.musicbrainzAlbumId } : {},
        parent: artist,
      };
      return {
        mode: 'leaf',
        parent: album,
        leaf: {
          type: 'track',
          title: grouping.track.title,
          artists: grouping.track.artists,
          indexNumber: grouping.track.trackNumber,
          parentIndexNumber: grouping.track.discNumber,
          albumTitle: grouping.album.title,
          year: context.tags.year,
          genres: context.tags.genres,
        },
      };
    }
    case 'image': {
      const dir = classification.galleryDir;
      return {
        mode: 'leaf',
        parent: { type: 'gallery', groupKey: `dir:${dir}`, title: dir ? basename(dir) : context.libraryName },
        leaf: { type: 'image', title: stem(relativePath) },
      };
    }
    default:
      return undefined;
  }
}

/** A zip/cbz gallery's container; each image entry is a leaf under it. */
export function archiveGallery(relativePath: string): ContainerSpec {
  return { type: 'gallery', groupKey: `zip:${relativePath}`, title: stem(relativePath) };
}
