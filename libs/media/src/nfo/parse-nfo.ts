import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { normalizeProviderId, normalizeProviderKey } from '../naming/provider-ids.js';

export interface NfoPerson {
  name: string;
  role: 'actor' | 'director' | 'writer' | 'producer' | 'composer';
  character?: string;
  order?: number;
}

export interface NfoMetadata {
  kind: 'movie' | 'tvshow' | 'episode' | 'album' | 'artist' | 'musicvideo';
  title?: string;
  originalTitle?: string;
  sortTitle?: string;
  year?: number;
  plot?: string;
  tagline?: string;
  genres: string[];
  tags: string[];
  studios: string[];
  people: NfoPerson[];
  /** <uniqueid type="imdb">, <imdbid>, <tmdbid>, <tvdbid>, <id>tt…</id>, and links after the XML */
  providerIds: Record<string, string>;
  season?: number;
  episode?: number;
  /** YYYY-MM-DD */
  premiered?: string;
  /** 0-10 */
  rating?: number;
  mpaa?: string;
  /** <lockdata>true</lockdata>: the item's metadata must not be overwritten. */
  locked: boolean;
}

type Kind = NfoMetadata['kind'];
type XmlElement = { [name: string]: XmlNode[] | string | undefined };
type XmlNode = XmlElement | string;

const ROOT_KINDS = new Map<string, Kind>([
  ['movie', 'movie'],
  ['tvshow', 'tvshow'],
  ['episodedetails', 'episode'],
  ['album', 'album'],
  ['artist', 'artist'],
  ['musicvideo', 'musicvideo'],
]);
const WRAPPER = 'marquee-nfo';

// Attributes stay strings and never become arrays; every element is an array so repeated tags are uniform.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Predefined, numeric and HTML named entities are decoded from built-in tables; documents declaring
  // their own entities are refused before parsing, so no external entity (XXE) is ever resolved.
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
});

/**
 * Reads a Kodi-style NFO: one or more XML documents (several <episodedetails> for a multi-episode
 * file), optionally followed by a scraper URL line — or only such a URL (e.g. an IMDb link).
 * Throws `Invalid NFO: …` for anything else.
 */
export function parseNfo(text: string): NfoMetadata[] {
  const content = text.replace(/^\uFEFF/, '').trim();
  if (!content) throw new Error('Invalid NFO: the file is empty');

  if (!content.startsWith('<')) {
    const ids = providerIdsFromLinks(content);
    if (!Object.keys(ids).length) throw new Error('Invalid NFO: neither XML nor an IMDb, TMDb, TVDB or AniDB link');
    return [{ ...emptyMetadata(linkKind(content)), providerIds: ids }];
  }
  if (/<!(?:DOCTYPE|ENTITY)/i.test(content)) throw new Error('Invalid NFO: DOCTYPE and ENTITY declarations are not allowed');

  const xmlEnd = content.lastIndexOf('>') + 1;
  const linkIds = providerIdsFromLinks(content.slice(xmlEnd));
  const xml = content.slice(0, xmlEnd).replace(/^(?:\s*<\?[\s\S]*?\?>)+/, '');
  // Wrapping allows several root elements (multi-episode files) and keeps line numbers intact.
  const wrapped = `<${WRAPPER}>${xml}</${WRAPPER}>`;
  const validation = XMLValidator.validate(wrapped);
  if (validation !== true) throw new Error(`Invalid NFO: ${validation.err.msg} (line ${validation.err.line})`);

  const document = elements(asElement(parseXml(wrapped)), WRAPPER)[0] ?? {};
  const entries: NfoMetadata[] = [];
  for (const [name, kind] of ROOT_KINDS) for (const root of elements(document, name)) entries.push(readRoot(kind, root));
  if (!entries.length) {
    if (Object.keys(linkIds).length) return [{ ...emptyMetadata(linkKind(content)), providerIds: linkIds }];
    throw new Error(`Invalid NFO: no ${[...ROOT_KINDS.keys()].map((name) => `<${name}>`).join(', ')} element`);
  }
  for (const entry of entries) for (const [provider, id] of Object.entries(linkIds)) entry.providerIds[provider] ??= id;
  return entries;
}

function parseXml(xml: string): unknown {
  try {
    return parser.parse(xml);
  } catch (error) {
    throw new Error(`Invalid NFO: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function emptyMetadata(kind: Kind): NfoMetadata {
  return { kind, genres: [], tags: [], studios: [], people: [], providerIds: {}, locked: false };
}

function readRoot(kind: Kind, root: XmlElement): NfoMetadata {
  const metadata = emptyMetadata(kind);
  const set = <K extends keyof NfoMetadata>(key: K, value: NfoMetadata[K] | undefined) => {
    if (value !== undefined) metadata[key] = value;
  };
  set('title', text(root, 'title') ?? text(root, 'name'));
  set('originalTitle', text(root, 'originaltitle'));
  set('sortTitle', text(root, 'sorttitle'));
  set('plot', text(root, 'plot') ?? text(root, 'outline') ?? text(root, 'review'));
  set('tagline', text(root, 'tagline'));
  set('mpaa', text(root, 'mpaa'));
  const premiered = isoDate(text(root, 'premiered') ?? text(root, 'aired') ?? text(root, 'releasedate'));
  set('premiered', premiered);
  set('year', integer(text(root, 'year')) ?? (premiered ? Number(premiered.slice(0, 4)) : undefined));
  set('rating', rating(root));
  if (kind === 'episode') {
    set('season', integer(text(root, 'season')));
    set('episode', integer(text(root, 'episode')));
  }
  metadata.genres = unique(texts(root, 'genre').flatMap((genre) => genre.split(/\s+\/\s+/)));
  metadata.tags = unique(texts(root, 'tag'));
  metadata.studios = unique(texts(root, 'studio'));
  metadata.people = people(root);
  metadata.providerIds = providerIds(kind, root);
  metadata.locked = text(root, 'lockdata')?.toLowerCase() === 'true';
  return metadata;
}

function people(root: XmlElement): NfoPerson[] {
  const result: NfoPerson[] = [];
  for (const actor of elements(root, 'actor')) {
    const name = text(actor, 'name');
    if (!name) continue;
    const person: NfoPerson = { name, role: 'actor' };
    const character = text(actor, 'role');
    const order = integer(text(actor, 'order'));
    if (character) person.character = character;
    if (order !== undefined) person.order = order;
    result.push(person);
  }
  const crew: [string, NfoPerson['role']][] = [
    ['director', 'director'],
    ['credits', 'writer'],
    ['writer', 'writer'],
    ['producer', 'producer'],
    ['composer', 'composer'],
  ];
  for (const [tag, role] of crew) {
    for (const node of nodes(root, tag)) {
      // Kodi writes <director>Name</director>; some tools nest <producer><name>Name</name></producer>.
      const name = typeof node === 'string' ? node.trim() : (nodeText(node) ?? text(node, 'name'));
      if (name && !result.some((p) => p.name === name && p.role === role)) result.push({ name, role });
    }
  }
  return result;
}

function providerIds(kind: Kind, root: XmlElement): Record<string, string> {
  const ids: Record<string, string> = {};
  const add = (rawProvider: string, rawId: string | undefined) => {
    if (!rawId) return;
    const provider = normalizeProviderKey(rawProvider) ?? rawProvider.toLowerCase().replace(/[^a-z0-9]/g, '');
    const id = normalizeProviderKey(rawProvider) ? normalizeProviderId(provider, rawId) : /^[\w.:-]+$/.test(rawId) ? rawId : null;
    if (provider && id) ids[provider] ??= id;
  };
  for (const node of nodes(root, 'uniqueid')) {
    const value = typeof node === 'string' ? node.trim() : nodeText(node);
    const type = typeof node === 'string' ? undefined : attribute(node, 'type');
    if (type && type.toLowerCase() !== 'unknown') add(type, value);
    else if (value && /^tt\d+$/i.test(value)) add('imdb', value);
  }
  for (const name of Object.keys(root)) {
    const musicbrainz = /^musicbrainz(\w+)id$/i.exec(name);
    if (musicbrainz) add(`musicbrainz${musicbrainz[1]}`, text(root, name));
    else if (/^[a-z]+_?id$/i.test(name) && normalizeProviderKey(name)) add(name, text(root, name));
  }
  const legacyId = text(root, 'id');
  const legacyProvider = legacyId ? legacyIdProvider(kind, legacyId) : undefined;
  if (legacyProvider) add(legacyProvider, legacyId);
  return ids;
}

/** The legacy <id>: an IMDb id, otherwise the id of the default scraper (TVDB for shows, TMDb for films). */
function legacyIdProvider(kind: Kind, id: string): string | undefined {
  if (/^tt\d+$/i.test(id)) return 'imdb';
  if (!/^\d+$/.test(id)) return undefined;
  if (kind === 'tvshow' || kind === 'episode') return 'tvdb';
  return kind === 'movie' ? 'tmdb' : undefined;
}

/** `<ratings><rating default="true" max="10"><value>…` (Kodi 17+) or a plain `<rating>8.5</rating>`, scaled to 0–10. */
function rating(root: XmlElement): number | undefined {
  const ratings = elements(root, 'ratings').flatMap((group) => elements(group, 'rating'));
  const chosen = ratings.find((r) => attribute(r, 'default') === 'true') ?? ratings[0];
  if (chosen) {
    const value = decimal(text(chosen, 'value'));
    const max = decimal(attribute(chosen, 'max')) ?? 10;
    if (value !== undefined && max > 0) return clamp((value / max) * 10);
  }
  const plain = nodes(root, 'rating').find((node) => typeof node === 'string' || nodeText(node) !== undefined);
  const value = decimal(plain === undefined ? undefined : typeof plain === 'string' ? plain : nodeText(plain));
  return value === undefined ? undefined : clamp(value);
}

function linkKind(links: string): Kind {
  return /themoviedb\.org\/tv\/|thetvdb\.com/i.test(links) ? 'tvshow' : 'movie';
}

/** Provider ids from the scraper links Kodi accepts in an NFO. */
function providerIdsFromLinks(textWithLinks: string): Record<string, string> {
  const ids: Record<string, string> = {};
  const imdb = /(?<![a-z0-9])(tt\d{7,8})(?!\d)/i.exec(textWithLinks);
  if (imdb) ids.imdb = imdb[1].toLowerCase();
  const tmdb = /themoviedb\.org\/(?:movie|tv)\/(\d+)/i.exec(textWithLinks);
  if (tmdb) ids.tmdb = tmdb[1];
  const tvdb =
    /thetvdb\.com\/\S*?[?&](?:series)?id=(\d+)/i.exec(textWithLinks) ??
    /thetvdb\.com\/(?:dereferrer\/)?series\/(\d+)(?![\w-])/i.exec(textWithLinks);
  if (tvdb) ids.tvdb = tvdb[1];
  const anidb = /anidb\.net\/(?:anime\/|a|\S*?[?&]aid=)(\d+)/i.exec(textWithLinks);
  if (anidb) ids.anidb = anidb[1];
  return ids;
}

// ——— tree access ———

function asElement(node: unknown): XmlElement {
  return node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as XmlElement) : {};
}

function nodes(parent: XmlElement, name: string): XmlNode[] {
  const value = parent[name];
  return Array.isArray(value) ? value : [];
}

function elements(parent: XmlElement, name: string): XmlElement[] {
  return nodes(parent, name).filter((node): node is XmlElement => typeof node === 'object');
}

function attribute(element: XmlElement, name: string): string | undefined {
  const value = element[`@_${name}`];
  return typeof value === 'string' ? value.trim() : undefined;
}

function nodeText(element: XmlElement): string | undefined {
  const value = element['#text'];
  const trimmed = typeof value === 'string' ? value.trim() : Array.isArray(value) ? String(value[0] ?? '').trim() : '';
  return trimmed || undefined;
}

function texts(parent: XmlElement, name: string): string[] {
  return nodes(parent, name)
    .map((node) => (typeof node === 'string' ? node.trim() : (nodeText(node) ?? '')))
    .filter((value) => value !== '');
}

function text(parent: XmlElement, name: string): string | undefined {
  return texts(parent, name)[0];
}

function unique(values: string[]): string[] {
  return [...new Set(values.map((value) => value.trim()).filter(Boolean))];
}

function integer(value: string | undefined): number | undefined {
  return value !== undefined && /^-?\d+$/.test(value.trim()) ? Number(value) : undefined;
}

function decimal(value: string | undefined): number | undefined {
  const number = value === undefined ? NaN : Number(value.trim().replace(',', '.'));
  return Number.isFinite(number) && value!.trim() !== '' ? number : undefined;
}

function clamp(rating: number): number {
  return Math.round(Math.min(10, Math.max(0, rating)) * 100) / 100;
}

function isoDate(value: string | undefined): string | undefined {
  const match = value ? /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(value) : null;
  return match ? `${match[1]}-${match[2].padStart(2, '0')}-${match[3].padStart(2, '0')}` : undefined;
}
