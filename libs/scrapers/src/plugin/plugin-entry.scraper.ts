import { basename } from 'node:path';
import type { PluginCapability, ScrapedMetadata } from '@marquee/contracts';
import type { ScrapeSubject } from '@marquee/library/editing/scrape-subject.reader.js';
import { type Plugin, PluginJobs, pluginScraperId } from '@marquee/plugins';
import { normalizeMetadata } from '../metadata/normalize-metadata.js';
import type { ScrapeCandidate, ScrapeQuery, Scraper } from '../scraper.js';

const MAX_CANDIDATES = 20;

/** What a plugin is told about an item: identifying fields only, never paths beyond the file's name. */
export function pluginItem(subject: ScrapeSubject): Record<string, unknown> {
  return {
    id: subject.id,
    type: subject.type,
    title: subject.title,
    originalTitle: subject.originalTitle,
    year: subject.year,
    seriesTitle: subject.seriesTitle,
    seasonNumber: subject.type === 'episode' ? subject.parentIndexNumber : subject.type === 'season' ? subject.indexNumber : null,
    episodeNumber: subject.type === 'episode' ? subject.indexNumber : null,
    albumTitle: subject.albumTitle,
    artists: subject.artists,
    providerIds: subject.providerIds,
    fileName: subject.files[0] ? basename(subject.files[0].relativePath) : null,
  };
}

/** A plugin's entry process as a scraper: each call is a `plugin-run` job. */
export class PluginEntryScraper implements Scraper {
  readonly kind = 'plugin' as const;
  readonly id: string;
  readonly name: string;
  readonly pluginId: string;
  readonly capabilities: PluginCapability[];
  readonly enabled: boolean;
  readonly artworkHosts: readonly string[];

  constructor(
    private readonly plugin: Plugin,
    private readonly jobs: PluginJobs,
  ) {
    this.id = pluginScraperId(plugin.id);
    this.name = plugin.name;
    this.pluginId = plugin.id;
    this.capabilities = [...plugin.manifest.capabilities];
    this.enabled = plugin.enabled;
    this.artworkHosts = plugin.manifest.permissions?.hosts ?? [];
  }

  async identify(subject: ScrapeSubject, query: ScrapeQuery): Promise<ScrapeCandidate[]> {
    const answer = await this.jobs.call(this.plugin, 'identify', { item: pluginItem(subject), query }, `identify ${subject.title}`);
    const list = (answer as { candidates?: unknown } | null)?.candidates;
    if (!Array.isArray(list)) throw new Error(`Plugin ${this.pluginId} answered identify without a "candidates" array`);
    const candidates: ScrapeCandidate[] = [];
    for (const entry of list.slice(0, MAX_CANDIDATES)) {
      if (typeof entry !== 'object' || entry === null) continue;
      const raw = entry as Record<string, unknown>;
      const ref = typeof raw.ref === 'string' || typeof raw.ref === 'number' ? String(raw.ref) : undefined;
      const metadata = normalizeMetadata({
        ...(typeof raw.metadata === 'object' ? raw.metadata : {}),
        title: raw.title,
        year: raw.year,
        overview: raw.overview,
      });
      if (!ref || !metadata.title) continue;
      candidates.push({ ref, title: metadata.title, year: metadata.year ?? null, overview: metadata.overview ?? null, metadata });
    }
    return candidates;
  }

  async scrape(subject: ScrapeSubject, ref: string): Promise<ScrapedMetadata> {
    const answer = await this.jobs.call(this.plugin, 'scrape', { item: pluginItem(subject), ref }, `scrape ${subject.title}`);
    const metadata = (answer as { metadata?: unknown } | null)?.metadata;
    if (typeof metadata !== 'object' || metadata === null)
      throw new Error(`Plugin ${this.pluginId} answered scrape without a "metadata" object`);
    return normalizeMetadata(metadata);
  }
}
