import { stripKnownExtension } from './media-category.js';
import { parseProviderIds } from './provider-ids.js';

export interface MovieName {
  title: string;
  year: number | null;
  part: number | null;
  edition: string | null;
  providerIds: Record<string, string>;
}

const BEFORE = String.raw`(?<=^|[\s._\-[\](){}])`;
const AFTER = String.raw`(?=$|[\s._\-[\](){}])`;

// Tokens that only occur in release names: the title ends where the first of them starts.
const STRONG_TAGS = [
  String.raw`\d{3,4}[pi]`,
  '[48]k',
  'uhd',
  'blu-?ray',
  'bd(?:rip|remux|25|50)',
  'brrip',
  'remux',
  'web-?(?:dl|rip)',
  '[hps]dtv',
  'dvd-?(?:rip|scr|r)',
  'hd-?(?:rip|cam|tc)',
  'telesync',
  'telecine',
  String.raw`[xh]\.?26[45]`,
  'hevc',
  'avc',
  'xvid',
  'divx',
  'av1',
  'vp9',
  String.raw`aac(?:[\d.]+)?`,
  'e?-?ac-?3',
  'dts(?:-?hd)?(?:-?(?:ma|x|es))?',
  'truehd',
  'atmos',
  'lpcm',
  String.raw`ddp?\+?(?:\d\.\d)?`,
  String.raw`[257]\.[01]`,
  String.raw`hdr(?:10)?\+?`,
  'dovi',
  'dolby[ .-]?vision',
  'hlg',
  '10-?bit',
  '8-?bit',
  'proper',
  'repack',
  'rerip',
  'amzn',
  'dsnp',
  'hmax',
  'atvp',
];
// Release words that are also ordinary title words ("Charlotte's Web"): they end a title only when they
// sit right before a strong tag, and they bound the edition text after a year.
const WEAK_TAGS = ['web', 'dv', 'sdr', 'flac', 'multi', 'dual', 'subbed', 'dubbed', 'limited', 'internal', 'nf', 'hc', 'dvd'];

const STRONG_TAG = new RegExp(`${BEFORE}(?:${STRONG_TAGS.join('|')})${AFTER}`, 'i');
const ANY_TAG = new RegExp(`${BEFORE}(?:${[...STRONG_TAGS, ...WEAK_TAGS].join('|')})${AFTER}`, 'i');
const TRAILING_WEAK_TAGS = new RegExp(String.raw`(?:[\s._-]+(?:${WEAK_TAGS.join('|')}))+[\s._-]*$`, 'i');

const PART_MARKER = new RegExp(String.raw`${BEFORE}(?:cd|dvd(?![59](?!\d))|dis[ck]|part|pt)[\s._-]?(\d{1,2})${AFTER}`, 'i');
const TRAILING_PART_MARKER = /(?:^|[\s._\-[(]+)(?:cd|dvd(?![59](?!\d))|dis[ck]|part|pt)[\s._-]?(\d{1,2})[\s._\-\])]*$/i;
const EDITION_WORDS =
  /\b(?:edition|cut|extended|unrated|uncut|remaster(?:ed)?|imax|theatrical|criterion|special|ultimate|collector'?s|anniversary|director'?s|directors|open matte)\b/i;
const RELEASE_STYLE_EDITION =
  /[\s._-]+(directors?'?s?[\s._]cut|extended(?:[\s._](?:cut|edition))?|unrated|uncut|remastered|theatrical(?:[\s._]cut)?|imax|special[\s._]edition|final[\s._]cut|ultimate[\s._](?:cut|edition))$/i;
const SPACED_EDITION = /\s+-\s+([^-]+)$|\s*[[(]([^\])]+)[\])]$/;

const YEAR = new RegExp(String.raw`${BEFORE}((?:18|19|20)\d{2})${AFTER}`, 'g');
const LATEST_PLAUSIBLE_YEAR = new Date().getFullYear() + 2;

/** Names like "The.Matrix.1999.1080p" use dots as word separators; "E.T. the Extra-Terrestrial" does not. */
export function usesDotSeparators(name: string): boolean {
  const dotsBetweenWords = name.match(/[^\s.]\.(?=[^\s.])/g)?.length ?? 0;
  return dotsBetweenWords >= 2 || (dotsBetweenWords === 1 && !/\s/.test(name));
}

function dotsToSpaces(text: string): string {
  // A run of single letters ("E.T.", "S.W.A.T.") is an acronym and keeps its dots.
  const tokens = text.split('.');
  const words: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let run = i;
    while (run < tokens.length && /^\p{L}$/u.test(tokens[run])) run++;
    if (run - i >= 2) {
      words.push(tokens.slice(i, run).join('.') + '.');
      i = run - 1;
    } else {
      words.push(tokens[i]);
    }
  }
  return words.join(' ');
}

/** Index where release tags start (resolution, source, codec, audio, HDR…), or -1. */
export function releaseTagIndex(text: string, includeWeak = false): number {
  return text.search(includeWeak ? ANY_TAG : STRONG_TAG);
}

/**
 * Turns a raw name fragment into a display title: release tags and square-bracket groups dropped,
 * dots/underscores made spaces where they separate words, stray separators trimmed. Accents and
 * non-Latin scripts are kept as they are.
 */
export function cleanTitle(raw: string, dotSeparated = usesDotSeparators(raw)): string {
  let text = raw;
  const tagAt = releaseTagIndex(text);
  if (tagAt >= 0) text = text.slice(0, tagAt).replace(TRAILING_WEAK_TAGS, '');
  text = text.replace(/\[[^\]]*\]/g, ' ').replace(/\(\s*\)|\{\s*\}/g, ' ');
  text = text.replace(/_/g, ' ');
  if (dotSeparated) text = dotsToSpaces(text);
  // Dots still present here belong to the title ("E.T.", "Mr. Smith"), so they are never trimmed.
  return text
    .replace(/\s+/g, ' ')
    .replace(/^[\s\-–—,:;]+|[\s\-–—,:;([{]+$/g, '')
    .trim();
}

/** Lower-case, punctuation-free form of a title, for comparing and grouping. */
export function titleKey(title: string): string {
  return title
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

interface YearMatch {
  year: number;
  start: number;
  end: number;
}

/**
 * The release year: a bracketed year wins over a bare one, the last wins among equals, and a year
 * needs a title before it — so "2001 A Space Odyssey (1968)" and "1917 (2019)" come out right.
 */
function findYear(name: string, dotSeparated: boolean): YearMatch | null {
  const tagAt = releaseTagIndex(name);
  const candidates: (YearMatch & { bracketed: boolean })[] = [];
  for (const match of name.matchAll(YEAR)) {
    const start = match.index;
    const year = Number(match[1]);
    if (year > LATEST_PLAUSIBLE_YEAR || (tagAt >= 0 && start > tagAt)) continue;
    const bracketed = /[([{]/.test(name[start - 1] ?? '') && /[)\]}]/.test(name[start + 4] ?? '');
    if (!cleanTitle(name.slice(0, bracketed ? start - 1 : start), dotSeparated)) continue;
    candidates.push(bracketed ? { year, start: start - 1, end: start + 5, bracketed } : { year, start, end: start + 4, bracketed });
  }
  const preferred = candidates.filter((c) => c.bracketed);
  return (preferred.length ? preferred : candidates).at(-1) ?? null;
}

function editionFrom(rest: string, dotSeparated: boolean): string | null {
  const tagAt = releaseTagIndex(rest, true);
  const text = cleanTitle((tagAt >= 0 ? rest.slice(0, tagAt) : rest).replace(/[()[\]{}]/g, ' '), dotSeparated);
  return text && EDITION_WORDS.test(text) ? text : null;
}

export function parseMovieName(fileOrFolderName: string): MovieName {
  const { ids, cleaned } = parseProviderIds(stripKnownExtension(fileOrFolderName.trim()));
  let edition: string | null = null;
  let name = cleaned
    .replace(/\{edition-([^}]*)\}/gi, (_, value: string) => {
      edition ??= value.trim() || null;
      return ' ';
    })
    // A leading "[Group]" tag (anime and scene style) is not part of the title.
    .replace(/^\s*\[[^\]]*\]\s*(?=\S)/, '')
    .trim();
  const dotSeparated = usesDotSeparators(name);
  let part: number | null = null;

  const year = findYear(name, dotSeparated);
  let titleRaw: string;
  if (year) {
    titleRaw = name.slice(0, year.start);
    let rest = name.slice(year.end);
    const partMatch = PART_MARKER.exec(rest);
    if (partMatch) {
      part = Number(partMatch[1]);
      rest = rest.slice(0, partMatch.index) + ' ' + rest.slice(partMatch.index + partMatch[0].length);
    }
    edition ??= editionFrom(rest, dotSeparated);
  } else {
    const tagAt = releaseTagIndex(name);
    const rest = tagAt >= 0 ? name.slice(tagAt) : '';
    if (tagAt >= 0) name = name.slice(0, tagAt);
    const trailingPart = TRAILING_PART_MARKER.exec(name);
    if (trailingPart) name = name.slice(0, trailingPart.index);
    const partMatch = trailingPart ?? PART_MARKER.exec(rest);
    if (partMatch) part = Number(partMatch[1]);
    const editionMatch = (dotSeparated ? RELEASE_STYLE_EDITION : SPACED_EDITION).exec(name);
    const editionText = editionMatch ? cleanTitle(editionMatch[1] ?? editionMatch[2], dotSeparated) : '';
    if (editionMatch && EDITION_WORDS.test(editionText)) {
      edition ??= editionText;
      name = name.slice(0, editionMatch.index);
    }
    titleRaw = name;
  }
  return { title: cleanTitle(titleRaw, dotSeparated), year: year?.year ?? null, part, edition, providerIds: ids };
}
