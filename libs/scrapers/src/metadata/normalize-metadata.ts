import { ARTWORK_KIND_NAMES, type ArtworkKindName, type PersonView, type ScrapedArtwork, type ScrapedMetadata } from '@marquee/contracts';

const MAX_TEXT = 10_000;
const MAX_SHORT = 500;
const MAX_LIST = 100;
const MAX_PEOPLE = 200;
const ROLES: PersonView['role'][] = ['actor', 'director', 'writer', 'producer', 'composer'];

const text = (value: unknown, max: number): string | undefined => {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed ? trimmed.slice(0, max) : undefined;
};

const number = (value: unknown): number | undefined => {
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof parsed === 'number' && Number.isFinite(parsed) ? parsed : undefined;
};

const list = (value: unknown): string[] | undefined => {
  if (typeof value === 'string') value = value.split(/\s*[,/|]\s*/);
  if (!Array.isArray(value)) return undefined;
  const items = [...new Set(value.map((item) => text(item, MAX_SHORT)).filter((item): item is string => Boolean(item)))];
  return items.slice(0, MAX_LIST);
};

function year(value: unknown): number | undefined {
  const fromText = typeof value === 'string' ? /^\s*(\d{4})/.exec(value)?.[1] : undefined;
  const parsed = number(fromText ?? value);
  return parsed !== undefined && Number.isInteger(parsed) && parsed >= 1800 && parsed <= 2200 ? parsed : undefined;
}

function date(value: unknown): string | undefined {
  const match = typeof value === 'string' ? /^(\d{4}-\d{2}-\d{2})/.exec(value.trim()) : null;
  if (!match) return undefined;
  return Number.isNaN(Date.parse(`${match[1]}T00:00:00Z`)) ? undefined : match[1];
}

function rating(value: unknown): number | undefined {
  const parsed = number(value);
  return parsed !== undefined && parsed >= 0 && parsed <= 10 ? Math.round(parsed * 100) / 100 : undefined;
}

function people(value: unknown): PersonView[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const result: PersonView[] = [];
  for (const entry of value) {
    if (typeof entry !== 'object' || entry === null) continue;
    const person = entry as Record<string, unknown>;
    const name = text(person.name, MAX_SHORT);
    const role = ROLES.includes(person.role as PersonView['role']) ? (person.role as PersonView['role']) : undefined;
    if (!name || !role) continue;
    const character = text(person.character, MAX_SHORT);
    result.push({ name, role, ...(character ? { character } : {}) });
    if (result.length >= MAX_PEOPLE) break;
  }
  return result;
}

function providerIds(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const result: Record<string, string> = {};
  for (const [key, raw] of Object.entries(value).slice(0, 32)) {
    const id = text(raw, 200);
    if (/^[A-Za-z][A-Za-z0-9]{0,31}$/.test(key) && id) result[key] = id;
  }
  return Object.keys(result).length ? result : undefined;
}

function artwork(value: unknown, base?: string): ScrapedArtwork[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const result: ScrapedArtwork[] = [];
  for (const entry of value) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { kind, url } = entry as Record<string, unknown>;
    if (!ARTWORK_KIND_NAMES.includes(kind as ArtworkKindName) || typeof url !== 'string') continue;
    let absolute: URL;
    try {
      absolute = new URL(url, base);
    } catch {
      continue;
    }
    if (absolute.protocol !== 'http:' && absolute.protocol !== 'https:') continue;
    if (!result.some((existing) => existing.kind === kind)) result.push({ kind: kind as ArtworkKindName, url: absolute.toString() });
  }
  return result;
}

/**
 * Whatever a plugin or a remote API returned, as ScrapedMetadata: values of the wrong type or out of
 * range are dropped (a year must be 1800–2200, ratings 0–10, dates YYYY-MM-DD, roles known, artwork
 * http(s) URLs of a known kind), strings trimmed and bounded, lists de-duplicated and capped.
 * Relative artwork URLs are resolved against `base`.
 */
export function normalizeMetadata(raw: unknown, base?: string): ScrapedMetadata {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const input = raw as Record<string, unknown>;
  const result: ScrapedMetadata = {
    title: text(input.title, MAX_SHORT),
    originalTitle: text(input.originalTitle, MAX_SHORT),
    sortTitle: text(input.sortTitle, MAX_SHORT),
    year: year(input.year),
    premiereDate: date(input.premiereDate),
    overview: text(input.overview, MAX_TEXT),
    tagline: text(input.tagline, MAX_SHORT),
    genres: list(input.genres),
    tags: list(input.tags),
    studios: list(input.studios),
    people: people(input.people),
    communityRating: rating(input.communityRating),
    criticRating: rating(input.criticRating),
    officialRating: text(input.officialRating, 32),
    providerIds: providerIds(input.providerIds),
    artwork: artwork(input.artwork, base),
  };
  for (const key of Object.keys(result) as (keyof ScrapedMetadata)[]) {
    const value = result[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0 && key === 'artwork')) delete result[key];
  }
  return result;
}
