import { stripKnownExtension } from './media-category.js';
import { cleanTitle, parseMovieName, usesDotSeparators } from './parse-movie-name.js';

export interface EpisodeInfo {
  seriesTitle: string;
  seriesYear: number | null;
  seriesProviderIds: Record<string, string>;
  /** Relative folder of the series (first path segment when files are inside a series folder); used as its identity */
  seriesDir: string;
  /** 0 for specials (Season 00, Specials folder, S00E01) */
  seasonNumber: number | null;
  /** [2] or [2,3] for S01E02E03 / S01E02-E03 / S01E02-03; [] for date-based */
  episodeNumbers: number[];
  /** "Show - 112.mkv", "[Group] Show - 05 [1080p].mkv" (anime style) when no season marker */
  absoluteNumber: number | null;
  /** "Show.2024.03.15.mkv", "Show - 2024-03-15 - Title.mkv" → "2024-03-15" */
  airDate: string | null;
  /** "Show - S01E02 - Name.mkv" → "Name" */
  episodeTitle: string | null;
}

interface Marker {
  start: number;
  end: number;
  season: number | null;
  episodes: number[];
  absolute: number | null;
  airDate: string | null;
}

const SEASON_FOLDER = /^(?:season|series|staffel|saison|temporada|stagione|seizoen|sezon)[\s._-]*(\d{1,4})(?=$|[\s._\-([])/i;
const SHORT_SEASON_FOLDER = /^s(\d{1,4})$/i;
const SPECIALS_FOLDER = /^(?:season[\s._-]*)?specials?$/i;
const DISC_FOLDER = /^(?:cd|dvd|dis[ck]|part)[\s._-]*\d{1,2}$/i;
// A season-pack folder ("Show.Name.S01.1080p.WEB") names the series before its season marker.
const SEASON_PACK_SUFFIX = /[\s._-]+(?:s\d{1,4}(?:e\d{1,4})?|season[\s._-]*\d{1,4})(?=$|[\s._-]).*$/i;

const SEASON_EPISODE = /(?<![a-z0-9])s(\d{1,4})[\s._-]*e(\d{1,4})((?:[\s._]*-?[\s._]*e\d{1,4}|-\d{1,4})*)(?!\d)/i;
const SEASON_EPISODE_WORDS = /(?<![a-z0-9])season[\s._-]*(\d{1,4})[\s._-]*episode[\s._-]*(\d{1,4})(?!\d)/i;
const SEASON_X_EPISODE = /(?<![a-z0-9])(\d{1,2})x(\d{1,3})((?:[-_x]\d{1,3}|-\d{1,2}x\d{1,3})*)(?![a-z0-9])/i;
const AIR_DATE = /(?<!\d)((?:19|20)\d{2})[.\-_ ](0[1-9]|1[0-2])[.\-_ ](0[1-9]|[12]\d|3[01])(?!\d)/;
const EPISODE_WORD = /(?<![a-z0-9])(?:e|ep|episode)[\s._]*(\d{1,4})(?![0-9])/i;
const LEADING_NUMBER = /^(\d{1,3})(?=$|[\s._\-([])/;
const DASHED_NUMBER = /\s-\s*(\d{1,4})(?:v\d)?(?=$|[\s._\-([])/;
const TRAILING_NUMBER = /[\s._](\d{1,3})$/;

export function seasonFromFolderName(folderName: string): number | null {
  const name = folderName.trim();
  if (SPECIALS_FOLDER.test(name)) return 0;
  const match = SEASON_FOLDER.exec(name) ?? SHORT_SEASON_FOLDER.exec(name);
  return match ? Number(match[1]) : null;
}

/** S01E02E03 lists episodes; a hyphen (S01E02-05, S01E02-E05) spans a range. */
function episodeList(first: string, tail: string): number[] {
  const episodes = [Number(first)];
  for (const [, hyphen, value] of tail.matchAll(/(-)?[\s._]*(?:\d{1,2}x|e)?(\d{1,4})/gi)) {
    const previous = episodes.at(-1)!;
    const next = Number(value);
    if (hyphen && next > previous && next - previous <= 50) for (let n = previous + 1; n <= next; n++) episodes.push(n);
    else if (!episodes.includes(next)) episodes.push(next);
  }
  return episodes;
}

function marker(match: RegExpExecArray, fields: Omit<Marker, 'start' | 'end'>): Marker {
  return { start: match.index, end: match.index + match[0].length, ...fields };
}

function isYearLike(value: string): boolean {
  return value.length === 4 && /^(?:19|20)/.test(value);
}

function findMarker(stem: string, folderSeason: number | null): Marker | null {
  let m = SEASON_EPISODE.exec(stem);
  if (m) return marker(m, { season: Number(m[1]), episodes: episodeList(m[2], m[3]), absolute: null, airDate: null });
  m = SEASON_EPISODE_WORDS.exec(stem);
  if (m) return marker(m, { season: Number(m[1]), episodes: [Number(m[2])], absolute: null, airDate: null });
  m = SEASON_X_EPISODE.exec(stem);
  if (m) return marker(m, { season: Number(m[1]), episodes: episodeList(m[2], m[3]), absolute: null, airDate: null });
  m = AIR_DATE.exec(stem);
  if (m) return marker(m, { season: folderSeason, episodes: [], absolute: null, airDate: `${m[1]}-${m[2]}-${m[3]}` });

  // Only a number: an episode of the folder's season, or an absolute number (anime style) without one.
  const candidates =
    folderSeason !== null ? [EPISODE_WORD, LEADING_NUMBER, DASHED_NUMBER, TRAILING_NUMBER] : [EPISODE_WORD, DASHED_NUMBER, LEADING_NUMBER];
  for (const pattern of candidates) {
    m = pattern.exec(stem);
    if (!m || isYearLike(m[1])) continue;
    const number = Number(m[1]);
    return folderSeason !== null
      ? marker(m, { season: folderSeason, episodes: [number], absolute: null, airDate: null })
      : marker(m, { season: null, episodes: [], absolute: number, airDate: null });
  }
  return null;
}

function seriesFromFolder(folderName: string) {
  const parsed = parseMovieName(folderName.replace(SEASON_PACK_SUFFIX, ''));
  return { title: parsed.title, year: parsed.year, providerIds: parsed.providerIds };
}

export function parseEpisodePath(relativePath: string): EpisodeInfo | null {
  const dirs = relativePath.split('/').filter((segment) => segment !== '');
  const fileName = dirs.pop();
  if (!fileName) return null;

  let seasonFolderIndex = -1;
  let folderSeason: number | null = null;
  for (let i = dirs.length - 1; i >= 0 && seasonFolderIndex < 0; i--) {
    folderSeason = seasonFromFolderName(dirs[i]);
    if (folderSeason !== null) seasonFolderIndex = i;
  }
  const seriesDirs = seasonFolderIndex >= 0 ? dirs.slice(0, seasonFolderIndex) : [...dirs];
  while (seriesDirs.length && DISC_FOLDER.test(seriesDirs.at(-1)!)) seriesDirs.pop();

  // Anime-style release groups and hashes in brackets are noise around the number.
  const stem = stripKnownExtension(fileName)
    .replace(/^\s*\[[^\]]*\]\s*/, '')
    .trim();
  const found = findMarker(stem, folderSeason);
  if (!found) return null;

  const dotSeparated = usesDotSeparators(stem);
  const fromFile = parseMovieName(stem.slice(0, found.start).replace(/[\s._-]+$/, ''));
  const fromFolder = seriesDirs.length ? seriesFromFolder(seriesDirs.at(-1)!) : null;
  const series = fromFolder?.title ? fromFolder : { title: fromFile.title, year: fromFile.year, providerIds: fromFile.providerIds };

  return {
    seriesTitle: series.title,
    seriesYear: series.year,
    seriesProviderIds: series.providerIds,
    seriesDir: seriesDirs.join('/'),
    seasonNumber: found.season,
    episodeNumbers: found.episodes,
    absoluteNumber: found.absolute,
    airDate: found.airDate,
    episodeTitle: cleanTitle(stem.slice(found.end), dotSeparated) || null,
  };
}
