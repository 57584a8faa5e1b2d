export interface ParsedProviderIds {
  ids: Record<string, string>;
  /** The name without the id tokens, whitespace collapsed. */
  cleaned: string;
}

/** Every spelling a provider goes by in names and NFOs, mapped to the one key we store. */
const PROVIDER_ALIASES = new Map(
  Object.entries({
    imdb: 'imdb',
    imdbid: 'imdb',
    tmdb: 'tmdb',
    tmdbid: 'tmdb',
    themoviedb: 'tmdb',
    tvdb: 'tvdb',
    tvdbid: 'tvdb',
    thetvdb: 'tvdb',
    anidb: 'anidb',
    anidbid: 'anidb',
    anilist: 'anilist',
    anilistid: 'anilist',
    tvmaze: 'tvmaze',
    tvmazeid: 'tvmaze',
    tvrage: 'tvrage',
    tvrageid: 'tvrage',
    trakt: 'trakt',
    traktid: 'trakt',
    mal: 'mal',
    malid: 'mal',
    myanimelist: 'mal',
    kitsu: 'kitsu',
    kitsuid: 'kitsu',
  }),
);

/** Returns the canonical provider key (imdb, tmdb, tvdb, anidb, …) or null for an unknown provider. */
export function normalizeProviderKey(key: string): string | null {
  return (
    PROVIDER_ALIASES.get(
      key
        .trim()
        .toLowerCase()
        .replace(/[\s_-]/g, ''),
    ) ?? null
  );
}

/** Validates an id for its provider: IMDb ids are `tt`/`nm` + digits, the others are alphanumeric. */
export function normalizeProviderId(provider: string, value: string): string | null {
  const id = value.trim();
  if (provider === 'imdb') return /^(?:tt|nm)\d{5,}$/i.test(id) ? id.toLowerCase() : null;
  return /^[a-z0-9]+$/i.test(id) ? id : null;
}

// "[imdbid-tt0078748]", "{tmdb=348}", "(tvdb 12345)" — the bracket kinds Jellyfin, Emby and Plex write.
const ID_TOKEN = /[[{(]\s*([a-z]+)\s*[-=:\s]\s*([a-z0-9]+)\s*[\]})]/gi;

export function parseProviderIds(name: string): ParsedProviderIds {
  const ids: Record<string, string> = {};
  const cleaned = name.replace(ID_TOKEN, (token, rawKey: string, rawValue: string) => {
    const provider = normalizeProviderKey(rawKey);
    const id = provider ? normalizeProviderId(provider, rawValue) : null;
    if (!provider || !id) return token;
    ids[provider] ??= id;
    return ' ';
  });
  return { ids, cleaned: cleaned.replace(/\s+/g, ' ').trim() };
}
