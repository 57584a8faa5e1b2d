import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../../migrations/index.js';
import { ENTITIES } from './entities.js';

export const MIGRATIONS_TABLE = 'migrations';

export function dataSourceOptions(databaseUrl: string, applicationName = 'marquee'): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    applicationName,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    // Schema changes go through reviewed migrations only.
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is built into PostgreSQL 13+: no extension (and no superuser) needed.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    // Not 'error': TypeORM would print failed queries with their parameters (password hashes,
    // tokens) to stdout. Failures surface as exceptions, logged by whoever handles them.
    logging: ['migration', 'warn'],
    extra: { max: 10, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 },
  };
}
