import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import type { PluginCapability, ScrapedMetadata } from '@marquee/contracts';
import type { ScrapeSubject } from '@marquee/library/editing/scrape-subject.reader.js';
import { type NfoMetadata, parseNfo } from '@marquee/media';
import { normalizeMetadata } from '../metadata/normalize-metadata.js';
import type { ScrapeCandidate, Scraper } from '../scraper.js';
import { SidecarLookup } from './sidecar-lookup.js';

const MAX_NFO_BYTES = 1024 * 1024;

interface FoundNfo {
  path: string;
  entry: NfoMetadata;
}

/** The NFO fields as scraped metadata (the same mapping the scanner applies). */
export function nfoToMetadata(nfo: NfoMetadata): ScrapedMetadata {
  return normalizeMetadata({
    title: nfo.title,
    originalTitle: nfo.originalTitle,
    sortTitle: nfo.sortTitle,
    year: nfo.year,
    premiereDate: nfo.premiered,
    overview: nfo.plot,
    tagline: nfo.tagline,
    genres: nfo.genres.length ? nfo.genres : undefined,
    tags: nfo.tags.length ? nfo.tags : undefined,
    studios: nfo.studios.length ? nfo.studios : undefined,
    people: nfo.people.length ? nfo.people : undefined,
    communityRating: nfo.rating,
    officialRating: nfo.mpaa,
    providerIds: nfo.providerIds,
  });
}

/** Built in: the Kodi NFO beside the item's media (movie.nfo, <file>.nfo, tvshow.nfo, album.nfo, artist.nfo). */
export class NfoScraper implements Scraper {
  readonly id = 'builtin:nfo';
  readonly name = 'Kodi NFO';
  readonly kind = 'builtin' as const;
  readonly pluginId = null;
  readonly capabilities: PluginCapability[] = ['identify', 'scrape:movie', 'scrape:series', 'scrape:episode', 'scrape:music'];
  readonly enabled = true;
  readonly artworkHosts: readonly string[] = [];

  async identify(subject: ScrapeSubject): Promise<ScrapeCandidate[]> {
    const found = await this.find(subject);
    if (!found) return [];
    const metadata = nfoToMetadata(found.entry);
    return [
      {
        ref: basename(found.path),
        title: metadata.title ?? subject.title,
        year: metadata.year ?? null,
        overview: metadata.overview ?? null,
        metadata,
      },
    ];
  }

  async scrape(subject: ScrapeSubject, ref: string): Promise<ScrapedMetadata> {
    const found = await this.find(subject);
    if (!found || basename(found.path) !== ref) throw new Error(`No ${ref} beside the media of "${subject.title}" any more`);
    return nfoToMetadata(found.entry);
  }

  private async find(subject: ScrapeSubject): Promise<FoundNfo | undefined> {
    const file = subject.files[0];
    if (!file) return undefined;
    const lookup = new SidecarLookup(file.libraryFolder);
    const dir = dirname(file.path);
    const stem = basename(file.path, extname(file.path));
    let candidates: { dir: string; names: string[] }[];
    let pick: (entries: NfoMetadata[]) => NfoMetadata | undefined = (entries) => entries[0];
    switch (subject.type) {
      case 'movie':
        candidates = [{ dir, names: [`${stem}.nfo`, 'movie.nfo'] }];
        pick = (entries) => entries.find((entry) => entry.kind === 'movie') ?? entries[0];
        break;
      case 'episode':
        candidates = [{ dir, names: [`${stem}.nfo`] }];
        pick = (entries) => entries.find((entry) => entry.episode === subject.indexNumber) ?? entries[0];
        break;
      case 'series':
      case 'season':
        candidates = lookup.upwards(dir, 3).map((folder) => ({ dir: folder, names: ['tvshow.nfo'] }));
        pick = (entries) => entries.find((entry) => entry.kind === 'tvshow');
        break;
      case 'album':
      case 'track':
        candidates = [{ dir, names: ['album.nfo'] }];
        pick = (entries) => entries.find((entry) => entry.kind === 'album');
        break;
      case 'artist':
        candidates = lookup.upwards(dir, 2).map((folder) => ({ dir: folder, names: ['artist.nfo'] }));
        pick = (entries) => entries.find((entry) => entry.kind === 'artist');
        break;
      default:
        return undefined;
    }
    for (const candidate of candidates) {
      const path = await lookup.find(candidate.dir, candidate.names);
      if (!path) continue;
      const info = await stat(path);
      if (info.size > MAX_NFO_BYTES) throw new Error(`${basename(path)} is larger than 1 MiB`);
      const entry = pick(parseNfo(await readFile(path, 'utf8')));
      if (entry) return { path, entry };
    }
    return undefined;
  }
}
