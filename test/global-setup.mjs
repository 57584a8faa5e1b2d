// Runs in plain Node before the suites (outside Jest's module system), so it uses the built server
// code: `npm test` builds it first when sources changed.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const dist = new URL('../dist/libs/core/src/index.js', import.meta.url);

/** Copies a database under other names; PostgreSQL refuses while a connection to the source is still closing. */
async function cloneDatabase(serverUrl, source, targets) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (const target of targets) {
      for (let attempt = 1; ; attempt++) {
        try {
          await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(target)} TEMPLATE ${admin.escapeIdentifier(source)}`);
          break;
        } catch (error) {
          if (!/being accessed by other users/.test(error.message) || attempt === 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
  } finally {
    await admin.end();
  }
}

/**
 * The PostgreSQL server the tests use: DATABASE_URL's when set (CI points it at the machine's
 * server), otherwise an embedded one in a temporary folder. Each run gets a fresh database on it,
 * migrated once and cloned for each Jest worker.
 */
export default async function globalSetup(globalConfig) {
  if (!existsSync(dist)) throw new Error('The server is not built: run `npm test` (it builds first) or `npm run build:server`');
  const { migrateDatabase, startEmbeddedPostgres } = await import(dist.href);
  let serverUrl = process.env.DATABASE_URL;
  let embedded;
  let tempDir;
  if (!serverUrl) {
    tempDir = mkdtempSync(join(tmpdir(), 'marquee-test-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir: tempDir, persistent: false });
    serverUrl = embedded.url;
  }
  const name = `marquee_test_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString(), { queueSchema: true });
  // One clone per Jest worker (see test/helpers/test-database.ts).
  const workers = Array.from({ length: Math.max(1, globalConfig?.maxWorkers ?? 1) }, (_, i) => `${name}_w${i + 1}`);
  await cloneDatabase(serverUrl, name, workers);

  process.env.TEST_DATABASE_URL = url.toString();
  process.env.TEST_DATABASE_SERVER_URL = serverUrl;
  process.env.TEST_REDIS_URL = process.env.REDIS_URL ?? '';
  globalThis.__MARQUEE_TEST_DB__ = {
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      for (const database of [name, ...workers]) {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(database)} WITH (FORCE)`);
      }
      await client.end();
      await embedded?.stop();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
  const where = embedded ? 'an embedded PostgreSQL' : 'DATABASE_URL';
  const redis = process.env.REDIS_URL ? 'Redis tests run against REDIS_URL' : 'REDIS_URL is not set: Redis tests are skipped';
  process.stdout.write(`\n[marquee tests] databases ${workers.join(', ')} on ${where}; ${redis}\n`);
}
