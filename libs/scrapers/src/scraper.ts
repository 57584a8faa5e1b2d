import type { MediaItemType, PluginCapability, ScrapedMetadata, ScraperKind } from '@marquee/contracts';
import type { ScrapeSubject } from '@marquee/library/editing/scrape-subject.reader.js';

/** What a search is for: the item's title (or the admin's) and year. */
export interface ScrapeQuery {
  title: string;
  year: number | null;
}

/** One match a scraper found; `metadata` is what it already knows (the rest comes with `scrape`). */
export interface ScrapeCandidate {
  ref: string;
  title: string;
  year: number | null;
  overview: string | null;
  metadata: ScrapedMetadata;
}

/** A source of metadata: built in, a declarative HTTP definition, or a plugin process. */
export interface Scraper {
  id: string;
  name: string;
  kind: ScraperKind;
  pluginId: string | null;
  capabilities: PluginCapability[];
  enabled: boolean;
  /** Hosts its artwork may be downloaded from (none: no downloads). */
  artworkHosts: readonly string[];
  identify(subject: ScrapeSubject, query: ScrapeQuery): Promise<ScrapeCandidate[]>;
  scrape(subject: ScrapeSubject, ref: string): Promise<ScrapedMetadata>;
}

/** The capability a scraper needs to know an item of this type, or null when no scraper handles it. */
export function capabilityFor(type: MediaItemType): PluginCapability | null {
  switch (type) {
    case 'movie':
      return 'scrape:movie';
    case 'series':
    case 'season':
      return 'scrape:series';
    case 'episode':
      return 'scrape:episode';
    case 'artist':
    case 'album':
    case 'track':
      return 'scrape:music';
    default:
      return null;
  }
}

/** The title a search should use: an episode or season is found through its series. */
export function defaultQuery(subject: ScrapeSubject): ScrapeQuery {
  return { title: subject.title, year: subject.year };
}
