import type { PluginCapability, ScrapedMetadata } from '@marquee/contracts';
import type { ScrapeSubject } from '@marquee/library/editing/scrape-subject.reader.js';
import { type HttpRequestDefinition, type HttpScraperDefinition, maskSecrets, type SafeHttpClient, SafeFetchError } from '@marquee/plugins';
import { normalizeMetadata } from '../metadata/normalize-metadata.js';
import type { ScrapeCandidate, ScrapeQuery, Scraper } from '../scraper.js';
import { readPath } from './json-path.js';
import { fillTemplate, fillUrl } from './url-template.js';

const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
const TIMEOUT_MS = 15_000;
const MAX_CANDIDATES = 20;

export interface HttpScraperSource {
  id: string;
  pluginId: string;
  pluginName: string;
  enabled: boolean;
  definition: HttpScraperDefinition;
  hosts: readonly string[];
  settings: Record<string, string | number | boolean>;
  /** The values of the secret settings, masked wherever a URL shows in an error. */
  secrets: readonly string[];
}

const scalar = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;

/**
 * A declarative HTTP JSON scraper shipped by a plugin: the search request's results become
 * candidates, the detail request's document is mapped onto the item's fields. Every request goes
 * through the SSRF-safe client and only to the hosts the plugin's manifest permits.
 */
export class HttpDefinitionScraper implements Scraper {
  readonly kind = 'http' as const;
  readonly id: string;
  readonly name: string;
  readonly pluginId: string;
  readonly capabilities: PluginCapability[];
  readonly enabled: boolean;
  readonly artworkHosts: readonly string[];

  constructor(
    private readonly source: HttpScraperSource,
    private readonly http: SafeHttpClient,
  ) {
    this.id = source.id;
    this.name = source.definition.name;
    this.pluginId = source.pluginId;
    this.enabled = source.enabled;
    this.artworkHosts = source.hosts;
    this.capabilities = ['identify', ...source.definition.kinds.map((kind) => `scrape:${kind}` as PluginCapability)];
  }

  async identify(subject: ScrapeSubject, query: ScrapeQuery): Promise<ScrapeCandidate[]> {
    const { search } = this.source.definition;
    const { document } = await this.fetchJson(search, { query, item: itemVariables(subject) });
    const results = readPath(document, search.results);
    if (!Array.isArray(results)) throw new Error(`${this.name}: the search response has no array at "${search.results}"`);
    const candidates: ScrapeCandidate[] = [];
    for (const result of results.slice(0, MAX_CANDIDATES)) {
      const ref = scalar(readPath(result, search.fields.ref));
      const title = scalar(readPath(result, search.fields.title));
      if (!ref || !title) continue;
      const metadata = normalizeMetadata({
        title,
        year: search.fields.year ? readPath(result, search.fields.year) : undefined,
        overview: search.fields.overview ? readPath(result, search.fields.overview) : undefined,
      });
      candidates.push({ ref, title: metadata.title ?? title, year: metadata.year ?? null, overview: metadata.overview ?? null, metadata });
    }
    return candidates;
  }

  async scrape(subject: ScrapeSubject, ref: string): Promise<ScrapedMetadata> {
    const { detail } = this.source.definition;
    const { document, url } = await this.fetchJson(detail, { ref, item: itemVariables(subject) });
    const root = readPath(document, detail.root ?? '');
    if (typeof root !== 'object' || root === null)
      throw new Error(`${this.name}: the detail response has no object at "${detail.root ?? ''}"`);
    const fields = detail.fields;
    const raw: Record<string, unknown> = {};
    for (const key of [
      'title',
      'originalTitle',
      'sortTitle',
      'year',
      'premiereDate',
      'overview',
      'tagline',
      'genres',
      'tags',
      'studios',
      'communityRating',
      'criticRating',
      'officialRating',
    ] as const) {
      const path = fields[key];
      if (path !== undefined) raw[key] = readPath(root, path);
    }
    if (fields.people) {
      raw.people = fields.people.flatMap((mapping) => {
        const list = readPath(root, mapping.path);
        if (!Array.isArray(list)) return [];
        return list.map((entry) => ({
          name: scalar(readPath(entry, mapping.name)),
          character: mapping.character ? scalar(readPath(entry, mapping.character)) : undefined,
          role: mapping.role,
        }));
      });
    }
    if (fields.providerIds) {
      raw.providerIds = Object.fromEntries(
        Object.entries(fields.providerIds).map(([provider, path]) => [provider, scalar(readPath(root, path))]),
      );
    }
    if (fields.artwork) {
      raw.artwork = Object.entries(fields.artwork).map(([kind, path]) => ({ kind, url: scalar(readPath(root, path!)) }));
    }
    return normalizeMetadata(raw, url);
  }

  private async fetchJson(request: HttpRequestDefinition, variables: Record<string, unknown>): Promise<{ document: unknown; url: string }> {
    try {
      return await this.fetchJsonUnmasked(request, variables);
    } catch (error) {
      // A definition may put a secret in the URL's path, which the messages show.
      const message = maskSecrets((error as Error).message, this.source.secrets);
      if (message === (error as Error).message) throw error;
      throw error instanceof SafeFetchError ? new SafeFetchError(error.reason, message) : new Error(message);
    }
  }

  private async fetchJsonUnmasked(
    request: HttpRequestDefinition,
    variables: Record<string, unknown>,
  ): Promise<{ document: unknown; url: string }> {
    const all = { ...variables, settings: this.source.settings };
    const url = fillUrl(request.url, all);
    const headers = Object.fromEntries(
      Object.entries(request.headers ?? {}).map(([name, value]) => [name, fillTemplate(value, all, false)]),
    );
    const response = await this.http.get(url, {
      allowedHosts: this.source.hosts,
      headers,
      maxBytes: MAX_RESPONSE_BYTES,
      timeoutMs: TIMEOUT_MS,
    });
    if (response.status < 200 || response.status >= 300)
      throw new Error(`${this.name}: ${new URL(response.url).pathname} answered HTTP ${response.status}`);
    try {
      return { document: JSON.parse(response.body.toString('utf8')), url: response.url };
    } catch {
      throw new Error(`${this.name}: ${new URL(response.url).pathname} did not answer with JSON`);
    }
  }
}

/** What a definition's templates may use of the item (`{item.type}`, `{item.seriesTitle}`…). */
function itemVariables(subject: ScrapeSubject): Record<string, unknown> {
  return {
    type: subject.type,
    title: subject.title,
    year: subject.year,
    seriesTitle: subject.seriesTitle,
    season: subject.parentIndexNumber,
    episode: subject.indexNumber,
    albumTitle: subject.albumTitle,
    artist: subject.artists[0],
    ...Object.fromEntries(Object.entries(subject.providerIds).map(([provider, id]) => [`${provider}Id`, id])),
  };
}
