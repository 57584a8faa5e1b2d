import type { EntityManager } from 'typeorm';

/**
 * An UPDATE or DELETE (TypeORM's PostgreSQL driver answers those with `[rows, rowCount]` rather than
 * the rows alone): the RETURNING rows and how many rows changed.
 */
export async function runWrite<T = Record<string, unknown>>(
  manager: EntityManager,
  sql: string,
  params: unknown[],
): Promise<{ rows: T[]; count: number }> {
  const [rows, count] = (await manager.query(sql, params)) as [T[], number];
  return { rows, count };
}
