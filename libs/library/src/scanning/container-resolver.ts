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

const keyOf = (spec: ContainerSpec) => `${spec.type}|${spec.groupKey}`;

/**
 * Finds or creates container items by their group key, remembering them for the rest of the scan so
 * the thousandth track of an album costs no query. A batch's containers are created together, one
 * upsert per level of the tree (series before seasons, artists before albums), so two scans racing
 * (or an item restored from missing) never duplicate a container.
 */
export class ContainerResolver {
  private readonly known = new Map<string, ResolvedContainer>();

  constructor(private readonly libraryId: string) {}

  /** Finds or creates every container of `specs` and their parents; `get` then answers without a query. */
  async resolveAll(manager: EntityManager, specs: Iterable<ContainerSpec>): Promise<void> {
    // Unknown containers by depth (0 = no parent), each once.
    const levels: Map<string, ContainerSpec>[] = [];
    const collect = (spec: ContainerSpec): number => {
      const depth = spec.parent ? collect(spec.parent) + 1 : 0;
      if (!this.known.has(keyOf(spec))) (levels[depth] ??= new Map()).set(keyOf(spec), spec);
      return depth;
    };
    for (const spec of specs) collect(spec);
    for (const level of levels) if (level?.size) await this.upsert(manager, [...level.values()]);
  }

  /** A container `resolveAll` resolved in this scan. */
  get(spec: ContainerSpec): ResolvedContainer {
    const resolved = this.known.get(keyOf(spec));
    if (!resolved) throw new Error(`container ${keyOf(spec)} was not resolved`);
    return resolved;
  }

  async resolve(manager: EntityManager, spec: ContainerSpec): Promise<ResolvedContainer> {
    await this.resolveAll(manager, [spec]);
    return this.get(spec);
  }

  /** A transaction that used the cache rolled back: forget what it may have created. */
  forgetAll(): void {
    this.known.clear();
  }

  /** One statement for many containers whose parents are known. Sorted by key, so two racing scans lock rows in one order. */
  private async upsert(manager: EntityManager, specs: ContainerSpec[]): Promise<void> {
    specs.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    const rows = await manager.query<{ id: string; type: string; groupKey: string; created: boolean }[]>(
      `INSERT INTO media_items ("libraryId", type, "groupKey", title, year, "indexNumber", "premiereDate", artists, "providerIds", "parentId")
       SELECT $1, c.type::media_item_type, c."groupKey", c.title, c.year, c."indexNumber", c."premiereDate",
              ARRAY(SELECT jsonb_array_elements_text(c.artists)), c."providerIds", c."parentId"
       FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::date[], $8::jsonb[], $9::jsonb[], $10::uuid[])
         WITH ORDINALITY AS c(type, "groupKey", title, year, "indexNumber", "premiereDate", artists, "providerIds", "parentId", position)
       ORDER BY c.position
       ON CONFLICT ("libraryId", type, "groupKey") WHERE "groupKey" IS NOT NULL
       DO UPDATE SET "missingSince" = NULL
       RETURNING id, type, "groupKey", (xmax = 0) AS created`,
      [
        this.libraryId,
        specs.map((spec) => spec.type),
        specs.map((spec) => spec.groupKey),
        specs.map((spec) => spec.title),
        specs.map((spec) => spec.year ?? null),
        specs.map((spec) => spec.indexNumber ?? null),
        specs.map((spec) => spec.premiereDate ?? null),
        specs.map((spec) => JSON.stringify(spec.artists ?? [])),
        specs.map((spec) => JSON.stringify(spec.providerIds ?? {})),
        specs.map((spec) => (spec.parent ? this.get(spec.parent).id : null)),
      ],
    );
    for (const row of rows) this.known.set(`${row.type}|${row.groupKey}`, { id: row.id, created: row.created });
  }
}
