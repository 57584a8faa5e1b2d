import { basename, dirname, extname } from 'node:path';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { mapLimited, type NfoMetadata } from '@marquee/media';
import { DataSource } from 'typeorm';
import type { ArtworkKind } from '../entities/item-artwork.entity.js';
import type { Library } from '../entities/library.entity.js';
import { episodeEntry } from './episode-nfo.js';
import type { SidecarFinder } from './sidecar-finder.js';
import { type NfoApplication, SidecarMetadata } from './sidecar-metadata.js';

/** An item whose NFO and folder art the scan should look for, and where. */
export type SidecarTarget =
  | { kind: 'movie'; itemId: string; created: boolean; filePath: string }
  | { kind: 'episode'; itemId: string; created: boolean; filePath: string; episode: number | null; lastEpisode: number | null }
  | { kind: 'series'; itemId: string; created: boolean; dir: string }
  | { kind: 'season'; itemId: string; created: boolean; dir: string; seriesDir?: string; season: number }
  | { kind: 'album'; itemId: string; created: boolean; dir: string };

type Log = ((message: string, level?: 'info' | 'warn' | 'error') => Promise<void> | void) | undefined;

const stemOf = (path: string) => basename(path, extname(path));
const seasonArtStem = (season: number) => (season === 0 ? 'season-specials' : `season${String(season).padStart(2, '0')}`);

/** NFOs read at once, and pictures stored at once (each picture takes a pooled connection for its transaction). */
const NFO_READ_CONCURRENCY = 8;
const ART_CONCURRENCY = 4;

/** The NFO that describes an item, and which of its entries (a multi-episode file holds several). */
interface NfoSource {
  path: string;
  pick: (entries: NfoMetadata[]) => NfoMetadata | undefined;
}

/** Where one item's sidecars are: its NFO and its folder art, found from the directory listings. */
interface FoundSidecars {
  target: SidecarTarget;
  nfo?: NfoSource;
  art: { kind: ArtworkKind; path: string }[];
}

const locationOf = (target: SidecarTarget) => ('filePath' in target ? target.filePath : target.dir);

/**
 * Reads NFOs and folder art for the items a scan batch created (Kodi's and Jellyfin's naming). The
 * batch's NFOs are applied together in one transaction; pictures one at a time per item, a few at once.
 */
@Injectable()
export class SidecarWork {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metadata: SidecarMetadata,
  ) {}

  async apply(targets: SidecarTarget[], finder: SidecarFinder, log: Log): Promise<void> {
    const seen = new Set<string>();
    const unique = targets.filter((target) => !seen.has(target.itemId) && seen.add(target.itemId));
    const found: FoundSidecars[] = [];
    for (const target of unique) {
      try {
        found.push(await this.find(target, finder));
      } catch (error) {
        await log?.(`sidecars of ${locationOf(target)}: ${(error as Error).message}`, 'warn');
      }
    }

    const withNfo = found.filter((sidecars) => sidecars.nfo);
    const applications: NfoApplication[] = [];
    await mapLimited(withNfo, NFO_READ_CONCURRENCY, async ({ target, nfo }) => {
      try {
        const entry = nfo!.pick(await this.metadata.readNfo(nfo!.path));
        if (entry) applications.push({ itemId: target.itemId, nfo: entry });
      } catch (error) {
        await log?.(`sidecars of ${locationOf(target)}: ${(error as Error).message}`, 'warn');
      }
    });
    await this.applyNfos(applications, new Map(found.map(({ target }) => [target.itemId, target])), log);

    const art = found.flatMap(({ target, art }) => art.map((picture) => ({ target, ...picture })));
    await mapLimited(art, ART_CONCURRENCY, async ({ target, kind, path }) => {
      try {
        await this.metadata.applyFolderArt(target.itemId, kind, path);
      } catch (error) {
        await log?.(`sidecars of ${locationOf(target)}: ${(error as Error).message}`, 'warn');
      }
    });
  }

  /** All entries in one transaction; should it fail (one bad value), each item on its own so the others still get theirs. */
  private async applyNfos(applications: NfoApplication[], targets: Map<string, SidecarTarget>, log: Log): Promise<void> {
    if (applications.length === 0) return;
    try {
      await this.metadata.applyNfos(applications);
      return;
    } catch (error) {
      if (applications.length === 1) {
        await log?.(`sidecars of ${locationOf(targets.get(applications[0].itemId)!)}: ${(error as Error).message}`, 'warn');
        return;
      }
    }
    for (const application of applications) await this.applyNfos([application], targets, log);
  }

  private async find(target: SidecarTarget, finder: SidecarFinder): Promise<FoundSidecars> {
    switch (target.kind) {
      case 'movie': {
        const dir = dirname(target.filePath);
        const stem = stemOf(target.filePath).replace(/[ ._-]*(cd|dvd|part|pt|disc|disk)[ ._-]*\d+$/i, '');
        const nfo = await finder.find(dir, [`${stemOf(target.filePath)}.nfo`, `${stem}.nfo`, 'movie.nfo']);
        return {
          target,
          nfo: nfo ? { path: nfo, pick: (entries) => entries[0] } : undefined,
          art: await this.art(finder, dir, {
            poster: [`${stem}-poster`, 'poster', 'folder', 'cover'],
            backdrop: [`${stem}-fanart`, 'fanart', 'backdrop', 'background'],
            logo: ['logo', 'clearlogo'],
            banner: ['banner'],
            thumb: [`${stem}-thumb`, 'landscape', 'thumb'],
          }),
        };
      }
      case 'episode': {
        const dir = dirname(target.filePath);
        const stem = stemOf(target.filePath);
        const nfo = await finder.find(dir, [`${stem}.nfo`]);
        return {
          target,
          nfo: nfo ? { path: nfo, pick: (entries) => episodeEntry(entries, target.episode, target.lastEpisode) } : undefined,
          art: await this.art(finder, dir, { thumb: [`${stem}-thumb`, stem] }),
        };
      }
      case 'series': {
        const nfo = await finder.find(target.dir, ['tvshow.nfo']);
        return {
          target,
          nfo: nfo ? { path: nfo, pick: (entries) => entries.find((entry) => entry.kind === 'tvshow') ?? entries[0] } : undefined,
          art: await this.art(finder, target.dir, {
            poster: ['poster', 'folder', 'cover'],
            backdrop: ['fanart', 'backdrop', 'background'],
            banner: ['banner'],
            logo: ['logo', 'clearlogo'],
          }),
        };
      }
      case 'season': {
        const inSeasonDir = target.dir !== target.seriesDir ? await finder.findImage(target.dir, ['poster', 'folder', 'cover']) : undefined;
        const inSeriesDir = target.seriesDir
          ? await finder.findImage(target.seriesDir, [`${seasonArtStem(target.season)}-poster`])
          : undefined;
        const poster = inSeasonDir ?? inSeriesDir;
        return { target, art: poster ? [{ kind: 'poster', path: poster }] : [] };
      }
      case 'album':
        return { target, art: await this.art(finder, target.dir, { cover: ['cover', 'folder', 'front', 'album'] }) };
    }
  }

  private async art(
    finder: SidecarFinder,
    dir: string,
    kinds: Partial<Record<ArtworkKind, string[]>>,
  ): Promise<{ kind: ArtworkKind; path: string }[]> {
    const found: { kind: ArtworkKind; path: string }[] = [];
    for (const [kind, stems] of Object.entries(kinds) as [ArtworkKind, string[]][]) {
      const path = await finder.findImage(dir, stems);
      if (path) found.push({ kind, path });
    }
    return found;
  }

  /** NFOs edited since the last scan: applied again to the items they describe. */
  async reapplyNfos(library: Library, paths: string[], log: Log): Promise<void> {
    for (const path of paths) {
      try {
        const dir = dirname(path);
        const name = basename(path).toLowerCase();
        let itemIds: { id: string; indexNumber: number | null; indexNumberEnd: number | null }[];
        if (name === 'tvshow.nfo') {
          const relative = library.folders
            .map((root) => (dir.startsWith(`${root}/`) ? dir.slice(root.length + 1) : dir === root ? '' : undefined))
            .find((x) => x !== undefined);
          itemIds = await this.dataSource.query(
            `SELECT id, "indexNumber", "indexNumberEnd" FROM media_items WHERE "libraryId" = $1 AND type = 'series' AND "groupKey" = $2`,
            [library.id, `series:${relative ?? ''}`],
          );
        } else if (name === 'movie.nfo') {
          itemIds = await this.dataSource.query(
            `SELECT DISTINCT i.id, i."indexNumber", i."indexNumberEnd" FROM media_items i JOIN media_files f ON f."itemId" = i.id WHERE f.folder = $1 AND i.type = 'movie'`,
            [dir],
          );
        } else {
          const stem = stemOf(path);
          itemIds = await this.dataSource.query(
            `SELECT DISTINCT i.id, i."indexNumber", i."indexNumberEnd" FROM media_items i JOIN media_files f ON f."itemId" = i.id
             WHERE f.folder = $1 AND f."archiveEntry" = '' AND regexp_replace(f.path, '^.*/|\\.[^.]*$', '', 'g') = $2`,
            [dir, stem],
          );
        }
        if (itemIds.length === 0) continue;
        const entries = await this.metadata.readNfo(path);
        await this.metadata.applyNfos(
          itemIds.flatMap((item) => {
            const entry = episodeEntry(entries, item.indexNumber, item.indexNumberEnd);
            return entry ? [{ itemId: item.id, nfo: entry }] : [];
          }),
        );
      } catch (error) {
        await log?.(`NFO ${path}: ${(error as Error).message}`, 'warn');
      }
    }
  }
}
