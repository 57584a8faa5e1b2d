import { basename, dirname } from 'node:path';
import type { PluginCapability, ScrapedMetadata } from '@marquee/contracts';
import type { ScrapeSubject } from '@marquee/library/editing/scrape-subject.reader.js';
import { parseEpisodePath, parseMovieName } from '@marquee/media';
import { normalizeMetadata } from '../metadata/normalize-metadata.js';
import type { ScrapeCandidate, Scraper } from '../scraper.js';

const REF = 'file-name';

/** Built in: what the file and folder names say (title, year, provider ids in `[imdbid-…]` tags, episode titles). */
export class FileNameScraper implements Scraper {
  readonly id = 'builtin:filename';
  readonly name = 'File name';
  readonly kind = 'builtin' as const;
  readonly pluginId = null;
  readonly capabilities: PluginCapability[] = ['identify', 'scrape:movie', 'scrape:series', 'scrape:episode'];
  readonly enabled = true;
  readonly artworkHosts: readonly string[] = [];

  identify(subject: ScrapeSubject): Promise<ScrapeCandidate[]> {
    const metadata = this.parse(subject);
    if (!metadata?.title) return Promise.resolve([]);
    return Promise.resolve([{ ref: REF, title: metadata.title, year: metadata.year ?? null, overview: null, metadata }]);
  }

  scrape(subject: ScrapeSubject, ref: string): Promise<ScrapedMetadata> {
    if (ref !== REF) return Promise.reject(new Error(`Unknown reference "${ref}" for file names`));
    const metadata = this.parse(subject);
    if (!metadata) return Promise.reject(new Error(`The file names of "${subject.title}" say nothing usable`));
    return Promise.resolve(metadata);
  }

  private parse(subject: ScrapeSubject): ScrapedMetadata | undefined {
    const file = subject.files[0];
    if (!file) return undefined;
    if (subject.type === 'movie') {
      const folder = basename(dirname(file.relativePath));
      const fromFolder = folder && folder !== '.' ? parseMovieName(folder) : undefined;
      const fromFile = parseMovieName(basename(file.relativePath));
      const best = fromFolder?.year && !fromFile.year ? fromFolder : fromFile;
      return normalizeMetadata({
        title: best.title,
        year: best.year,
        providerIds: { ...fromFolder?.providerIds, ...fromFile.providerIds },
      });
    }
    const episode = parseEpisodePath(file.relativePath);
    if (!episode) return undefined;
    if (subject.type === 'series' || subject.type === 'season') {
      return normalizeMetadata({ title: episode.seriesTitle, year: episode.seriesYear, providerIds: episode.seriesProviderIds });
    }
    if (subject.type === 'episode') {
      return normalizeMetadata({ title: episode.episodeTitle ?? undefined, premiereDate: episode.airDate ?? undefined });
    }
    return undefined;
  }
}
