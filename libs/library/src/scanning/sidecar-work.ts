import { basename, dirname, extname } from 'node:path';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { NfoMetadata } from '@marquee/media';
import { DataSource } from 'typeorm';
import type { ArtworkKind } from '../entities/item-artwork.entity.js';
import type { Library } from '../entities/library.entity.js';
import { type SidecarFinder, withImageExtensions } from './sidecar-finder.js';
import { SidecarMetadata } from './sidecar-metadata.js';

/** An item whose NFO and folder art the scan should look for, and where. */
export type SidecarTarget =
  | { kind: 'movie'; itemId: string; created: boolean; filePath: string }
  | { kind: 'episode'; itemId: string; created: boolean; filePath: string; episode: number | null }
  | { kind: 'series'; itemId: string; created: boolean; dir: string }
  | { kind: 'season'; itemId: string; created: boolean; dir: string; seriesDir?: string; season: number }
  | { kind: 'album'; itemId: string; created: boolean; dir: string };

type Log = ((message: string, level?: 'info' | 'warn' | 'error') => Promise<void> | void) | undefined;

const stemOf = (path: string) => basename(path, extname(path));
const seasonArtStem = (season: number) => (season === 0 ? 'season-specials' : `season${String(season).padStart(2, '0')}`);

/** Items whose sidecars are applied at once (each takes a pooled connection for its transaction). */
const SIDECAR_CONCURRENCY = 4;

/** Reads NFOs and folder art for the items a scan batch created (Kodi's and Jellyfin's naming). */
@Injectable()
export class SidecarWork {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metadata: SidecarMetadata,
  ) {}

  async apply(targets: SidecarTarget[], finder: SidecarFinder, log: Log): Promise<void> {
    const seen = new Set<string>();
    const unique = targets.filter((target) => !seen.has(target.itemId) && seen.add(target.itemId));
    // Each item's sidecars are its own (one transaction each), so several items are done at once.
    let next = 0;
    const applier = async () => {
      while (next < unique.length) {
        const target = unique[next++];
        try {
          await this.applyOne(target, finder);
        } catch (error) {
          await log?.(`sidecars of ${'filePath' in target ? target.filePath : target.dir}: ${(error as Error).message}`, 'warn');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SIDECAR_CONCURRENCY, unique.length) }, applier));
  }

  private async applyOne(target: SidecarTarget, finder: SidecarFinder): Promise<void> {
    switch (target.kind) {
      case 'movie': {
        const dir = dirname(target.filePath);
        const stem = stemOf(target.filePath).replace(/[ ._-]*(cd|dvd|part|pt|disc|disk)[ ._-]*\d+$/i, '');
        const nfo = await finder.find(dir, [`${stemOf(target.filePath)}.nfo`, `${stem}.nfo`, 'movie.nfo']);
        if (nfo) await this.applyNfo(target.itemId, nfo, (entries) => entries[0]);
        await this.art(target.itemId, finder, dir, {
          poster: [`${stem}-poster`, 'poster', 'folder', 'cover'],
          backdrop: [`${stem}-fanart`, 'fanart', 'backdrop', 'background'],
          logo: ['logo', 'clearlogo'],
          banner: ['banner'],
          thumb: [`${stem}-thumb`, 'landscape', 'thumb'],
        });
        return;
      }
      case 'episode': {
        const dir = dirname(target.filePath);
        const stem = stemOf(target.filePath);
        const nfo = await finder.find(dir, [`${stem}.nfo`]);
        if (nfo)
          await this.applyNfo(target.itemId, nfo, (entries) =>
            target.episode === null ? entries[0] : (entries.find((entry) => entry.episode === target.episode) ?? entries[0]),
          );
        await this.art(target.itemId, finder, dir, { thumb: [`${stem}-thumb`, stem] });
        return;
      }
      case 'series': {
        const nfo = await finder.find(target.dir, ['tvshow.nfo']);
        if (nfo) await this.applyNfo(target.itemId, nfo, (entries) => entries.find((entry) => entry.kind === 'tvshow') ?? entries[0]);
        await this.art(target.itemId, finder, target.dir, {
          poster: ['poster', 'folder', 'cover'],
          backdrop: ['fanart', 'backdrop', 'background'],
          banner: ['banner'],
          logo: ['logo', 'clearlogo'],
        });
        return;
      }
      case 'season': {
        const inSeasonDir =
          target.dir !== target.seriesDir ? await finder.find(target.dir, withImageExtensions('poster', 'folder', 'cover')) : undefined;
        const inSeriesDir = target.seriesDir
          ? await finder.find(target.seriesDir, withImageExtensions(`${seasonArtStem(target.season)}-poster`))
          : undefined;
        const poster = inSeasonDir ?? inSeriesDir;
        if (poster) await this.metadata.applyFolderArt(target.itemId, 'poster', poster);
        return;
      }
      case 'album': {
        await this.art(target.itemId, finder, target.dir, { cover: ['cover', 'folder', 'front', 'album'] });
        return;
      }
    }
  }

  private async applyNfo(itemId: string, path: string, pick: (entries: NfoMetadata[]) => NfoMetadata | undefined): Promise<void> {
    const entries = await this.metadata.readNfo(path);
    const entry = pick(entries);
    if (entry) await this.metadata.applyNfo(itemId, entry);
  }

  private async art(itemId: string, finder: SidecarFinder, dir: string, kinds: Partial<Record<ArtworkKind, string[]>>): Promise<void> {
    for (const [kind, stems] of Object.entries(kinds) as [ArtworkKind, string[]][]) {
      const path = await finder.find(dir, withImageExtensions(...stems));
      if (path) await this.metadata.applyFolderArt(itemId, kind, path);
    }
  }

  /** NFOs edited since the last scan: applied again to the items they describe. */
  async reapplyNfos(library: Library, paths: string[], log: Log): Promise<void> {
    for (const path of paths) {
      try {
        const dir = dirname(path);
        const name = basename(path).toLowerCase();
        let itemIds: { id: string; indexNumber: number | null }[];
        if (name === 'tvshow.nfo') {
          const relative = library.folders
            .map((root) => (dir.startsWith(`${root}/`) ? dir.slice(root.length + 1) : dir === root ? '' : undefined))
            .find((x) => x !== undefined);
          itemIds = await this.dataSource.query(
            `SELECT id, "indexNumber" FROM media_items WHERE "libraryId" = $1 AND type = 'series' AND "groupKey" = $2`,
            [library.id, `series:${relative ?? ''}`],
          );
        } else if (name === 'movie.nfo') {
          itemIds = await this.dataSource.query(
            `SELECT DISTINCT i.id, i."indexNumber" FROM media_items i JOIN media_files f ON f."itemId" = i.id WHERE f.folder = $1 AND i.type = 'movie'`,
            [dir],
          );
        } else {
          const stem = stemOf(path);
          itemIds = await this.dataSource.query(
            `SELECT DISTINCT i.id, i."indexNumber" FROM media_items i JOIN media_files f ON f."itemId" = i.id
             WHERE f.folder = $1 AND f."archiveEntry" = '' AND regexp_replace(f.path, '^.*/|\\.[^.]*$', '', 'g') = $2`,
            [dir, stem],
          );
        }
        if (itemIds.length === 0) continue;
        const entries = await this.metadata.readNfo(path);
        for (const item of itemIds) {
          const entry =
            entries.find((candidate) => candidate.episode !== undefined && candidate.episode === item.indexNumber) ?? entries[0];
          if (entry) await this.metadata.applyNfo(item.id, entry);
        }
      } catch (error) {
        await log?.(`NFO ${path}: ${(error as Error).message}`, 'warn');
      }
    }
  }
}
