import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrateDatabase, projectRoot } from '../../libs/core/src/index.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { createScratchDatabase } from '../helpers/scratch-database.js';
import { testDatabaseUrl } from '../helpers/test-database.js';

async function withScratchDatabase(work: (url: string) => Promise<void>): Promise<void> {
  const db = await createScratchDatabase({ migrate: false });
  try {
    await work(db.url);
  } finally {
    await db.drop();
  }
}

describe('migrations', () => {
  it('the committed migrations produce exactly the schema the entities describe', async () => {
    const dataSource = await new DataSource(dataSourceOptions(testDatabaseUrl())).initialize();
    try {
      expect(dataSource.options.synchronize).toBe(false);
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('apply on an empty database, revert to nothing, and apply again; concurrent runs apply once', async () => {
    await withScratchDatabase(async (url) => {
      const reports = await Promise.all([1, 2, 3].map(() => migrateDatabase(url, { queueSchema: true })));
      expect(reports.flatMap((r) => r.applied)).toHaveLength(MIGRATIONS.length);
      expect(reports.every((r) => (r.queueSchemaVersion ?? 0) > 0)).toBe(true);

      const dataSource = await new DataSource(dataSourceOptions(url)).initialize();
      try {
        const tables = async () =>
          (
            await dataSource.query<{ tablename: string }[]>(
              `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
            )
          ).map((r) => r.tablename);
        // Every entity's table, and nothing else.
        const expected = dataSource.entityMetadatas.filter((m) => m.tableType === 'regular').map((m) => m.tableName);
        expect(expected).toEqual(expect.arrayContaining(['users', 'libraries', 'media_items', 'job_runs', 'item_edits']));
        expect(new Set(await tables())).toEqual(new Set(expected));
        for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration();
        expect(await tables()).toEqual([]);
        expect(await dataSource.runMigrations()).toHaveLength(MIGRATIONS.length);
        expect(await tables()).toHaveLength(expected.length);
      } finally {
        await dataSource.destroy();
      }
    });
  });

  it('usernames and emails are unique case-insensitively', async () => {
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      await client.query(`INSERT INTO users (username, email, "passwordHash") VALUES ('Ripley', 'ripley@nostromo.test', 'x')`);
      await expect(client.query(`INSERT INTO users (username, "passwordHash") VALUES ('ripley', 'x')`)).rejects.toThrow(
        /UQ_users_username_lower/,
      );
      await expect(
        client.query(`INSERT INTO users (username, email, "passwordHash") VALUES ('dallas', 'RIPLEY@nostromo.test', 'x')`),
      ).rejects.toThrow(/UQ_users_email_lower/);
    } finally {
      await client.query(`DELETE FROM users WHERE lower(username) = 'ripley'`);
      await client.end();
    }
  });

  it('npm run migration:run / migration:revert / migration:generate work (the built script)', async () => {
    const script = join(projectRoot(), 'dist', 'scripts', 'migrations.js');
    await withScratchDatabase(async (url) => {
      const run = (...args: string[]) =>
        promisify(execFile)(process.execPath, [script, ...args], {
          env: { PATH: process.env.PATH, DATABASE_URL: url, MARQUEE_DATA_DIR: join(projectRoot(), 'data') },
        });
      expect((await run('run')).stdout).toMatch(/^Applied: Initial\d+, /);
      expect((await run('run')).stdout).toBe('Nothing to apply: the database is up to date.\n');
      expect((await run('generate', 'Anything')).stdout).toBe('No changes: the entities match the database schema.\n');
      expect((await run('revert')).stdout).toMatch(/^Reverted [A-Z][A-Za-z]+\d+\n$/);
      await expect(run('generate', 'lowercase')).rejects.toThrow(/PascalCase/);
      await expect(run('bogus')).rejects.toThrow(/usage: migrations.js generate <Name> \| run \| revert/);
    });
  });
});
