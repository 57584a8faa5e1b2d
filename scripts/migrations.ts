import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
// Direct imports keep this command quick: the core index would load all of NestJS.
import { loadConfigOrExit } from '@marquee/core/config/load-config.js';
import { projectRoot } from '@marquee/core/config/project-root.js';
import { dataSourceOptions } from '@marquee/core/database/data-source-options.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '@marquee/core/database/embedded-postgres.js';
import { migrateDatabase } from '@marquee/core/database/migrate.js';

/**
 * `npm run migration:generate -- <Name>` | `migration:run` | `migration:revert`, against DATABASE_URL
 * or, when it is unset, the embedded PostgreSQL in the data dir (the one `npm start` uses).
 */
async function withDatabase<T>(work: (url: string, queueSchema: boolean) => Promise<T>): Promise<T> {
  const config = loadConfigOrExit({ requireDatabaseUrl: false }, 'migrations');
  let embedded: EmbeddedDatabase | undefined;
  try {
    if (!config.databaseUrl) embedded = await startEmbeddedPostgres({ dataDir: config.dataDir });
    return await work(embedded?.url ?? config.databaseUrl, !config.redisUrl);
  } finally {
    await embedded?.stop();
  }
}

const escape = (sql: string) => sql.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');

async function generate(name: string): Promise<void> {
  if (!/^[A-Z][A-Za-z0-9]+$/.test(name))
    throw new Error('Give the migration a PascalCase name, e.g. `npm run migration:generate -- AddPlaylists`');
  await withDatabase(async (url, queueSchema) => {
    await migrateDatabase(url, { queueSchema });
    const dataSource = await new DataSource(dataSourceOptions(url, 'marquee-migrate')).initialize();
    try {
      const sql = await dataSource.driver.createSchemaBuilder().log();
      if (sql.upQueries.length === 0) {
        console.log('No changes: the entities match the database schema.');
        return;
      }
      const timestamp = Date.now();
      const className = `${name}${timestamp}`;
      const up = sql.upQueries.map((q) => `    await queryRunner.query(\`${escape(q.query)}\`);`).join('\n');
      const down = [...sql.downQueries]
        .reverse()
        .map((q) => `    await queryRunner.query(\`${escape(q.query)}\`);`)
        .join('\n');
      const fileBase = `${timestamp}-${name}`;
      const file = join(projectRoot(), 'migrations', `${fileBase}.ts`);
      writeFileSync(
        file,
        `import type { MigrationInterface, QueryRunner } from 'typeorm';\n\n` +
          `export class ${className} implements MigrationInterface {\n  name = '${className}';\n\n` +
          `  async up(queryRunner: QueryRunner): Promise<void> {\n${up}\n  }\n\n` +
          `  async down(queryRunner: QueryRunner): Promise<void> {\n${down}\n  }\n}\n`,
      );
      const indexFile = join(projectRoot(), 'migrations', 'index.ts');
      const index = readFileSync(indexFile, 'utf8');
      const lines = index.split('\n');
      const lastImport = lines.reduce((last, line, i) => (line.startsWith('import ') ? i : last), -1);
      const importLine = `import { ${className} } from './${fileBase}.js';`;
      lines.splice(lastImport + 1, 0, ...(lastImport === -1 ? [importLine, ''] : [importLine]));
      const withImport = lines.join('\n');
      writeFileSync(
        indexFile,
        withImport.replace(
          /(export const MIGRATIONS: Function\[\] = \[)([\s\S]*?)(\];)/,
          (_m, open: string, list: string, close: string) => {
            const items = list
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean);
            return `${open}${[...items, className].join(', ')}${close}`;
          },
        ),
      );
      console.log(`Wrote migrations/${fileBase}.ts (${sql.upQueries.length} statements) and registered it; review it before committing.`);
    } finally {
      await dataSource.destroy();
    }
  });
}

async function run(): Promise<void> {
  await withDatabase(async (url, queueSchema) => {
    const report = await migrateDatabase(url, { queueSchema });
    console.log(report.applied.length ? `Applied: ${report.applied.join(', ')}` : 'Nothing to apply: the database is up to date.');
  });
}

async function revert(): Promise<void> {
  await withDatabase(async (url) => {
    const dataSource = await new DataSource(dataSourceOptions(url, 'marquee-migrate')).initialize();
    try {
      const before = await dataSource.query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`);
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log(before.length ? `Reverted ${before[0].name}` : 'Nothing to revert.');
    } finally {
      await dataSource.destroy();
    }
  });
}

const [command, name] = process.argv.slice(2);
const commands: Record<string, () => Promise<void>> = { generate: () => generate(name ?? ''), run, revert };
const selected = commands[command ?? ''];
if (!selected) {
  console.error('usage: migrations.js generate <Name> | run | revert');
  process.exit(2);
}
selected().catch((error: Error) => {
  console.error(`migrations: ${error.message}`);
  process.exit(1);
});
