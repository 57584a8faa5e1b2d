import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';

describe('MARQUEE_MEDIA_DIRS at first start', () => {
  let db: ScratchDatabase;
  let media: string;
  const apis: NestExpressApplication[] = [];

  beforeAll(async () => {
    db = await createScratchDatabase();
    media = mkdtempSync(join(tmpdir(), 'marquee-dirs-'));
    mkdirSync(join(media, 'Films'));
    mkdirSync(join(media, 'Music'));
  });
  afterAll(async () => {
    await Promise.all(apis.map((api) => api.close()));
    await db.drop();
    rmSync(media, { recursive: true, force: true });
  });

  it('creates one mixed library per folder, queues their scans, and does it once across replicas and restarts', async () => {
    const env = { DATABASE_URL: db.url, MARQUEE_MEDIA_DIRS: `${join(media, 'Films')},${join(media, 'Music')}` };
    // Two replicas starting together: one does the first-start work.
    apis.push(...(await Promise.all([startApi(testConfig({ env })), startApi(testConfig({ env }))])));
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      const { rows } = await sql.query<{ name: string; kind: string; folders: string[] }>(
        `SELECT name, kind, folders FROM libraries ORDER BY name`,
      );
      expect(rows).toEqual([
        { name: 'Films', kind: 'mixed', folders: [join(media, 'Films')] },
        { name: 'Music', kind: 'mixed', folders: [join(media, 'Music')] },
      ]);
      const { rows: scans } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM job_runs WHERE queue = 'library-scan'`);
      expect(scans[0].n).toBe(2);
      await sql.query(`DELETE FROM libraries WHERE name = 'Music'`);
      apis.push(await startApi(testConfig({ env })));
      const { rows: after } = await sql.query<{ name: string }>(`SELECT name FROM libraries`);
      expect(after).toEqual([{ name: 'Films' }]);
    } finally {
      await sql.end();
    }
  });
});
