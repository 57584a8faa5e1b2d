import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MediaItemType, NameCount, NameCountList, NameSort, PersonCount, PersonCountList, PersonRole } from '@marquee/contracts';
import { DataSource } from 'typeorm';
import { PERSON_ROLES } from './dto.js';

export interface NameListQuery {
  libraryId?: string;
  type?: MediaItemType[];
  q?: string;
  sort?: NameSort;
  limit: number;
  offset: number;
}

export interface PeopleListQuery extends NameListQuery {
  role?: PersonRole[];
}

/** Rows of (name, role) an item carries, as a LATERAL source over `media_items i`. */
const GENRE_ENTRIES = `(SELECT g.name, NULL::text AS role FROM unnest(i.genres) AS g(name))`;
const STUDIO_ENTRIES = `(SELECT s.name, NULL::text AS role FROM unnest(i.studios) AS s(name))`;
const PERSON_ENTRIES = `(SELECT p->>'name' AS name, p->>'role' AS role FROM jsonb_array_elements(i.people) AS p)`;

/** Keys are unique per name, so pages are stable whatever the order. */
const ORDER_BY: Record<NameSort, string> = {
  name: `lower(marquee_unaccent(name)) ASC, key ASC`,
  '-count': `count DESC, lower(marquee_unaccent(name)) ASC, key ASC`,
};

interface NameRow {
  name: string;
  count: number;
  roles: string[];
}

/**
 * The genres, studios and people of the catalogue, computed from the items' own lists. A name counts
 * the items carrying it among those GET items would list with the same filters (present, extras only
 * when asked for by type); names are grouped as GET items?genre= / studio= / person= compare them —
 * trimmed, case ignored — and shown in their most used spelling.
 */
@Injectable()
export class CatalogueNamesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async genres(query: NameListQuery): Promise<NameCountList> {
    const { items, total } = await this.names(GENRE_ENTRIES, query);
    return { items: items.map(toNameCount), total, limit: query.limit, offset: query.offset };
  }

  async studios(query: NameListQuery): Promise<NameCountList> {
    const { items, total } = await this.names(STUDIO_ENTRIES, query);
    return { items: items.map(toNameCount), total, limit: query.limit, offset: query.offset };
  }

  /** With `role`, the people having any of these roles; their count and roles still cover all their items. */
  async people(query: PeopleListQuery): Promise<PersonCountList> {
    const { items, total } = await this.names(PERSON_ENTRIES, query, query.role);
    return { items: items.map(toPersonCount), total, limit: query.limit, offset: query.offset };
  }

  private async names(entries: string, query: NameListQuery, roles?: PersonRole[]): Promise<{ items: NameRow[]; total: number }> {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = [`i."missingSince" IS NULL`];
    if (query.type?.length) where.push(`i.type = ANY(${param(query.type)}::media_item_type[])`);
    else where.push(`i.type <> 'extra'`);
    if (query.libraryId) where.push(`i."libraryId" = ${param(query.libraryId)}`);
    const named = [`name <> ''`];
    const prefix = query.q?.trim();
    if (prefix) {
      // The start of any word: "scott" finds "Ridley Scott", "fic" finds "Science Fiction".
      const wanted = `lower(marquee_unaccent(${param(prefix)}::text))`;
      named.push(`(starts_with(lower(marquee_unaccent(name)), ${wanted}) OR strpos(lower(marquee_unaccent(name)), ' ' || ${wanted}) > 0)`);
    }
    const having = roles?.length ? `HAVING bool_or(role = ANY(${param(roles)}::text[]))` : '';
    const grouped = `WITH entry AS (
        SELECT i.id AS "itemId", btrim(e.name) AS name, e.role
        FROM media_items i CROSS JOIN LATERAL ${entries} AS e
        WHERE ${where.join(' AND ')}
      ), named AS (
        SELECT lower(name) AS key,
               mode() WITHIN GROUP (ORDER BY name) AS name,
               count(DISTINCT "itemId")::int AS count,
               coalesce(array_agg(DISTINCT role) FILTER (WHERE role IS NOT NULL), '{}') AS roles
        FROM entry WHERE ${named.join(' AND ')}
        GROUP BY lower(name) ${having}
      )`;
    const filterParams = [...params];
    const page = `${grouped} SELECT name, count, roles FROM named
                  ORDER BY ${ORDER_BY[query.sort ?? 'name']} LIMIT ${param(query.limit)} OFFSET ${param(query.offset)}`;
    const [items, counted] = await Promise.all([
      this.dataSource.query<NameRow[]>(page, params),
      this.dataSource.query<{ total: number }[]>(`${grouped} SELECT count(*)::int AS total FROM named`, filterParams),
    ]);
    return { items, total: counted[0].total };
  }
}

const toNameCount = (row: NameRow): NameCount => ({ name: row.name, count: row.count });

const roleOrder = (role: string) => {
  const index = (PERSON_ROLES as readonly string[]).indexOf(role);
  return index === -1 ? PERSON_ROLES.length : index;
};

/** Roles in the usual credits order: actor, director, writer, producer, composer. */
const toPersonCount = (row: NameRow): PersonCount => ({
  ...toNameCount(row),
  roles: [...row.roles].sort((a, b) => roleOrder(a) - roleOrder(b) || a.localeCompare(b)) as PersonRole[],
});
