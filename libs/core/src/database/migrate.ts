import { runMigrations as runQueueMigrations } from 'bullmq';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { queueSchemaFor } from '../queue/queue-backend.js';
import { dataSourceOptions } from './data-source-options.js';

/** Advisory lock key shared by every Marquee process that migrates ("MRQ1"). */
const MIGRATION_LOCK_KEY = 0x4d525131;

export interface MigrationReport {
  applied: string[];
  queueSchemaVersion?: number;
}

/**
 * Brings the database up to date: Marquee's TypeORM migrations, then (for the PostgreSQL queue
 * backend) BullMQ's own schema. Safe to call from several processes at once: a session advisory lock
 * serialises them and late callers find nothing to do.
 */
export async function migrateDatabase(
  databaseUrl: string,
  options: { queueSchema: boolean; queuePrefix?: string },
): Promise<MigrationReport> {
  const lockClient = new pg.Client({ connectionString: databaseUrl, application_name: 'marquee-migrate' });
  await lockClient.connect();
  const dataSource = new DataSource(dataSourceOptions(databaseUrl, 'marquee-migrate'));
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    const report: MigrationReport = { applied: applied.map((m) => m.name) };
    if (options.queueSchema)
      report.queueSchemaVersion = await runQueueMigrations(lockClient, queueSchemaFor(options.queuePrefix ?? 'marquee'));
    return report;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockClient.end();
  }
}
