import { randomUUID } from 'node:crypto';
import type pg from 'pg';

export interface ItemSeed {
  type: string;
  title: string;
  parentId?: string | null;
  durationMs?: number | null;
  indexNumber?: number | null;
  indexNumberEnd?: number | null;
  parentIndexNumber?: number | null;
  year?: number | null;
  missing?: boolean;
}

/**
 * Catalogue rows written straight into the database, shaped as the scanner places files (series →
 * season → episode with its season number, artist → album → track with its disc number), for tests
 * of features that only read the catalogue.
 */
export class CatalogueSeed {
  constructor(private readonly sql: pg.Client) {}

  async library(name: string, kind: string, folders: string[] = []): Promise<string> {
    const { rows } = await this.sql.query<{ id: string }>(`INSERT INTO libraries (name, kind, folders) VALUES ($1, $2, $3) RETURNING id`, [
      name,
      kind,
      folders,
    ]);
    return rows[0].id;
  }

  async item(libraryId: string, seed: ItemSeed): Promise<string> {
    const [id] = await this.items(libraryId, [seed]);
    return id;
  }

  /** Many items in one statement; ids in the order of the seeds. */
  async items(libraryId: string, seeds: ItemSeed[]): Promise<string[]> {
    const ids = seeds.map(() => randomUUID());
    const column = <T>(pick: (seed: ItemSeed) => T) => seeds.map(pick);
    await this.sql.query(
      `INSERT INTO media_items (id, "libraryId", type, title, "parentId", "durationMs", "indexNumber", "indexNumberEnd", "parentIndexNumber", year, "missingSince")
       SELECT u.id, $1, u.type::media_item_type, u.title, u."parentId", u."durationMs", u."indexNumber", u."indexNumberEnd", u."parentIndexNumber", u.year,
              CASE WHEN u.missing THEN now() END
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::bigint[], $7::int[], $8::int[], $9::int[], $10::int[], $11::bool[])
            AS u(id, type, title, "parentId", "durationMs", "indexNumber", "indexNumberEnd", "parentIndexNumber", year, missing)`,
      [
        libraryId,
        ids,
        column((s) => s.type),
        column((s) => s.title),
        column((s) => s.parentId ?? null),
        column((s) => s.durationMs ?? null),
        column((s) => s.indexNumber ?? null),
        column((s) => s.indexNumberEnd ?? null),
        column((s) => s.parentIndexNumber ?? null),
        column((s) => s.year ?? null),
        column((s) => s.missing ?? false),
      ],
    );
    return ids;
  }
}
