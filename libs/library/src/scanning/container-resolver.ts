import type { MediaItemType } from '@marquee/contracts';
import type { EntityManager } from 'typeorm';

/** An item that holds others (series, season, artist, album, gallery) or a film's several parts. */
export interface ContainerSpec {
  type: MediaItemType;
  groupKey: string;
  title: string;
  year?: number | null;
  indexNumber?: number | null;
  premiereDate?: string | null;
  artists?: string[];
  providerIds?: Record<string, string>;
  parent?: ContainerSpec;
}

export interface ResolvedContainer {
  id: string;
  /** Created by this scan: its sidecars (NFO, folder art) are read once. */
  created: boolean;
}

/**
 * Finds or creates container items by their group key, remembering them for the rest of the scan so
 * the thousandth track of an album costs no query. Created through an upsert, so two scans racing
 * (or an item restored from missing) never duplicate a container.
 */
export class ContainerResolver {
  private readonly known = new Map<string, ResolvedContainer>();

  constructor(private readonly libraryId: string) {}

  async resolve(manager: EntityManager, spec: ContainerSpec): Promise<ResolvedContainer> {
    const cacheKey = `${spec.type}|${spec.groupKey}`;
    const cached = this.known.get(cacheKey);
    if (cached) return cached;
    const parentId = spec.parent ? (await this.resolve(manager, spec.parent)).id : null;
    const [row] = await manager.query<{ id: string; created: boolean }[]>(
      `INSERT INTO media_items ("libraryId", type, "groupKey", title, year, "indexNumber", "premiereDate", artists, "providerIds", "parentId")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT ("libraryId", type, "groupKey") WHERE "groupKey" IS NOT NULL
       DO UPDATE SET "missingSince" = NULL
       RETURNING id, (xmax = 0) AS created`,
      [
        this.libraryId,
        spec.type,
        spec.groupKey,
        spec.title,
        spec.year ?? null,
        spec.indexNumber ?? null,
        spec.premiereDate ?? null,
        spec.artists ?? [],
        JSON.stringify(spec.providerIds ?? {}),
        parentId,
      ],
    );
    const resolved = { id: row.id, created: row.created };
    this.known.set(cacheKey, resolved);
    return resolved;
  }

  /** A transaction that used the cache rolled back: forget what it may have created. */
  forgetAll(): void {
    this.known.clear();
  }
}
