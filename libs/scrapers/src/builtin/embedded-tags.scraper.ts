import type { PluginCapability, ScrapedMetadata } from '@marquee/contracts';
import type { ScrapeSubject } from '@marquee/library/editing/scrape-subject.reader.js';
import { readAudioTags } from '@marquee/media';
import { normalizeMetadata } from '../metadata/normalize-metadata.js';
import type { ScrapeCandidate, Scraper } from '../scraper.js';

const TAG_TIMEOUT_MS = 15_000;
const REF = 'tags';

/** Built in: the tags inside the media file (music tags, and the title/date/genre tags of MP4 and Matroska videos). */
export class EmbeddedTagsScraper implements Scraper {
  readonly id = 'builtin:tags';
  readonly name = 'Embedded tags';
  readonly kind = 'builtin' as const;
  readonly pluginId = null;
  readonly capabilities: PluginCapability[] = ['identify', 'scrape:movie', 'scrape:episode', 'scrape:music'];
  readonly enabled = true;
  readonly artworkHosts: readonly string[] = [];

  async identify(subject: ScrapeSubject): Promise<ScrapeCandidate[]> {
    const metadata = await this.read(subject);
    if (!metadata?.title) return [];
    return [{ ref: REF, title: metadata.title, year: metadata.year ?? null, overview: null, metadata }];
  }

  async scrape(subject: ScrapeSubject, ref: string): Promise<ScrapedMetadata> {
    if (ref !== REF) throw new Error(`Unknown reference "${ref}" for embedded tags`);
    const metadata = await this.read(subject);
    if (!metadata) throw new Error(`"${subject.title}" has no file with readable tags`);
    return metadata;
  }

  private async read(subject: ScrapeSubject): Promise<ScrapedMetadata | undefined> {
    const file = subject.files.find((candidate) => !candidate.archiveEntry && candidate.category !== 'image');
    if (!file) return undefined;
    let tags;
    try {
      tags = await readAudioTags(file.path, { timeoutMs: TAG_TIMEOUT_MS });
    } catch {
      return undefined;
    }
    const container = subject.filesFromDescendants || subject.type === 'album';
    const title = subject.type === 'album' ? tags.album : subject.type === 'artist' ? (tags.albumArtist ?? tags.artists[0]) : tags.title;
    const providerIds: Record<string, string> = {};
    if (subject.type === 'album' && tags.musicbrainzAlbumId) providerIds.musicbrainzAlbum = tags.musicbrainzAlbumId;
    if (subject.type === 'artist' && (tags.musicbrainzAlbumArtistId ?? tags.musicbrainzArtistId))
      providerIds.musicbrainzArtist = (tags.musicbrainzAlbumArtistId ?? tags.musicbrainzArtistId)!;
    if (subject.type === 'track' && tags.musicbrainzTrackId) providerIds.musicbrainzTrack = tags.musicbrainzTrackId;
    const metadata = normalizeMetadata({
      title,
      year: subject.type === 'artist' ? undefined : tags.year,
      premiereDate: !container || subject.type === 'album' ? tags.releaseDate : undefined,
      genres: tags.genres.length ? tags.genres : undefined,
      providerIds,
    });
    return Object.keys(metadata).length ? metadata : undefined;
  }
}
