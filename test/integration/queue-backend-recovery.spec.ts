import { Queue, runMigrations } from 'bullmq';
import pg from 'pg';
import { createRecoveringPostgresBackend } from '../../libs/core/src/index.js';

/**
 * A queue whose first use fails (here: its database does not exist yet) must work once the
 * database is there, instead of failing every later call without trying again.
 */
describe('the PostgreSQL queue backend after a failed start-up', () => {
  const serverUrl = process.env.TEST_DATABASE_SERVER_URL!;
  const name = `marquee_late_${process.pid}_${Date.now().toString(36)}`;
  const url = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
  let opened: { close(): Promise<void> } | undefined;

  afterAll(async () => {
    await opened?.close();
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.end();
  });

  it('tries again on the next call and then works', async () => {
    const queue = new Queue('late', { connection: { connectionString: url, schema: 'bullmq', max: 2 } }, createRecoveringPostgresBackend);
    opened = queue;
    await expect(queue.getJobCounts()).rejects.toThrow(/does not exist/);

    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    await admin.end();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await runMigrations(client, 'bullmq');
    await client.end();

    await queue.add('job', { n: 1 });
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });
});
