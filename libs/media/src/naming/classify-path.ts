import { detectExtra, type ExtraInfo } from './detect-extra.js';
import { fileExtension, isArtworkFileName, mediaCategory, stripKnownExtension } from './media-category.js';
import { parseEpisodePath, type EpisodeInfo } from './parse-episode-path.js';
import { parseMovieName, titleKey, type MovieName } from './parse-movie-name.js';

export type LibraryKindName = 'movies' | 'series' | 'music' | 'images' | 'mixed';

export type PathClassification =
  /** groupKey: same value for all parts of one film (relative dir + normalised title/year, part removed) */
  | { kind: 'movie'; movie: MovieName; groupKey: string }
  | { kind: 'extra'; extra: ExtraInfo; title: string }
  | { kind: 'episode'; episode: EpisodeInfo }
  /** Music is grouped by its tags, elsewhere. */
  | { kind: 'track' }
  /** galleryDir: relative folder ('' for the library root) */
  | { kind: 'image'; galleryDir: string }
  /** zip/cbz: a gallery */
  | { kind: 'archive' }
  | { kind: 'sidecar'; sidecar: 'nfo' | 'artwork' | 'subtitle' }
  | { kind: 'ignored'; reason: string };

const SYSTEM_FOLDERS = new Set(['@eadir', '#recycle', '@recycle', '$recycle.bin', 'lost+found', 'system volume information', '#snapshot']);
const INCOMPLETE_DOWNLOAD_EXTENSIONS = new Set(['partial', 'part', 'tmp', 'crdownload', '!qb', '!ut']);
const ARTWORK_FOLDERS = new Set(['extrafanart', 'extrathumbs']);
// DVD/Blu-ray folder structures and "CD1" folders sit inside the film's own folder.
const DISC_STRUCTURE_FOLDER = /^(?:video_ts|audio_ts|bdmv|stream|backup)$/i;
const PART_FOLDER = /^(?:cd|dvd|dis[ck]|part)[\s._-]*(\d{1,2})$/i;
const GENERIC_FILE_NAME = /^(?:movie|video|film|main|feature|title\d*|video_ts|vts_\d+_\d+|\d+)$/i;

function ignored(reason: string): PathClassification {
  return { kind: 'ignored', reason };
}

export function classifyPath(libraryKind: LibraryKindName, relativePath: string): PathClassification {
  const segments = relativePath.split('/').filter((segment) => segment !== '');
  const fileName = segments.at(-1);
  if (!fileName) return ignored('empty path');
  const dirs = segments.slice(0, -1);

  if (segments.some((segment) => segment.startsWith('.'))) return ignored('hidden file or folder');
  if (segments.some((segment) => SYSTEM_FOLDERS.has(segment.toLowerCase()))) return ignored('system or recycle-bin folder');
  if (INCOMPLETE_DOWNLOAD_EXTENSIONS.has(fileExtension(fileName))) return ignored('incomplete download');

  const category = mediaCategory(fileName);
  if (libraryKind === 'images') {
    if (category === 'image') return { kind: 'image', galleryDir: dirs.join('/') };
    if (category === 'archive') return { kind: 'archive' };
    return ignored(`${category} file in an images library`);
  }
  if (category === 'nfo') return { kind: 'sidecar', sidecar: 'nfo' };
  if (category === 'image' && (isArtworkFileName(fileName) || ARTWORK_FOLDERS.has(dirs.at(-1)?.toLowerCase() ?? ''))) {
    return { kind: 'sidecar', sidecar: 'artwork' };
  }
  if (category === 'subtitle')
    return libraryKind === 'music' ? ignored('subtitle in a music library') : { kind: 'sidecar', sidecar: 'subtitle' };
  if (category === 'other') return ignored('unsupported file type');

  switch (libraryKind) {
    case 'movies':
      return category === 'video' ? classifyFilm(dirs, fileName) : ignored(`${category} file in a movies library`);
    case 'series':
      return category === 'video' ? classifySeriesVideo(relativePath, fileName) : ignored(`${category} file in a series library`);
    case 'music':
      return category === 'audio' ? { kind: 'track' } : ignored(`${category} file in a music library`);
    case 'mixed':
      if (category === 'audio') return { kind: 'track' };
      if (category === 'image') return { kind: 'image', galleryDir: dirs.join('/') };
      if (category === 'archive') return { kind: 'archive' };
      return classifyMixedVideo(relativePath, dirs, fileName);
  }
}

function extra(info: ExtraInfo, fileName: string): PathClassification {
  return { kind: 'extra', extra: info, title: stripKnownExtension(fileName).trim() };
}

function classifySeriesVideo(relativePath: string, fileName: string): PathClassification {
  const folderExtra = detectExtra(relativePath, { foldersOnly: true });
  if (folderExtra) return extra(folderExtra, fileName);
  // Release samples sit next to the episodes; other suffixes ("… - Scene") can be episode titles.
  const suffixExtra = detectExtra(relativePath);
  if (suffixExtra?.type === 'sample') return extra(suffixExtra, fileName);
  const episode = parseEpisodePath(relativePath);
  return episode ? { kind: 'episode', episode } : ignored('no season/episode in the name');
}

function classifyMixedVideo(relativePath: string, dirs: string[], fileName: string): PathClassification {
  const folderExtra = detectExtra(relativePath, { foldersOnly: true });
  if (folderExtra) return extra(folderExtra, fileName);
  const episode = parseEpisodePath(relativePath);
  // An absolute number alone ("Name - 2") is too weak to call a video an episode outside a series library.
  if (episode && (episode.seasonNumber !== null || episode.airDate !== null)) return { kind: 'episode', episode };
  return classifyFilm(dirs, fileName);
}

function classifyFilm(dirs: string[], fileName: string): PathClassification {
  const suffixExtra = detectExtra([...dirs, fileName].join('/'));
  if (suffixExtra) return extra(suffixExtra, fileName);

  const filmDirs = [...dirs];
  let folderPart: number | null = null;
  let insideDiscStructure = false;
  for (;;) {
    const last = filmDirs.at(-1);
    if (last === undefined) break;
    const partFolder = PART_FOLDER.exec(last);
    if (partFolder) folderPart ??= Number(partFolder[1]);
    else if (DISC_STRUCTURE_FOLDER.test(last)) insideDiscStructure = true;
    else break;
    filmDirs.pop();
  }

  const fromFile = parseMovieName(fileName);
  const folderName = filmDirs.at(-1);
  const fromFolder = folderName !== undefined ? parseMovieName(folderName) : null;
  const genericFile = !fromFile.title || GENERIC_FILE_NAME.test(stripKnownExtension(fileName).trim()) || insideDiscStructure;
  const useFolder = !!fromFolder?.title && (genericFile || (fromFolder.year !== null && fromFile.year === null));
  const sameFilm = !!fromFolder && titleKey(fromFolder.title) === titleKey(fromFile.title);

  const movie: MovieName = useFolder
    ? {
        title: fromFolder!.title,
        year: fromFolder!.year,
        part: fromFile.part ?? folderPart,
        edition: fromFile.edition ?? fromFolder!.edition,
        providerIds: { ...fromFolder!.providerIds, ...fromFile.providerIds },
      }
    : {
        ...fromFile,
        part: fromFile.part ?? folderPart,
        providerIds: sameFilm ? { ...fromFolder!.providerIds, ...fromFile.providerIds } : fromFile.providerIds,
      };
  return { kind: 'movie', movie, groupKey: `${filmDirs.join('/')}::${titleKey(movie.title)}::${movie.year ?? ''}` };
}
