// A fresh, migrated database for one benchmark run: on DATABASE_URL's server, or on an embedded
// PostgreSQL when it is unset. drop() removes it (and stops the embedded server).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const dist = (path) => new URL(`../../dist/${path}`, import.meta.url).href;

export async function benchDatabase() {
  const { migrateDatabase, startEmbeddedPostgres } = await import(dist('libs/core/src/index.js'));
  let serverUrl = process.env.DATABASE_URL;
  let embedded;
  if (!serverUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: mkdtempSync(join(tmpdir(), 'marquee-bench-')), persistent: false });
    serverUrl = embedded.url;
  }
  const name = `marquee_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString(), { queueSchema: true });
  return {
    url: url.toString(),
    embedded: Boolean(embedded),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      await embedded?.stop();
    },
  };
}
