import type pg from 'pg';
import { waitFor } from './wait-for.js';

/** Waits until a scan started at or after `since` has completed and every job queued since then has ended. */
export async function waitForScanAndJobs(sql: pg.Client, since: Date, timeoutMs = 180_000): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await sql.query<{ open: number; scans: number }>(
        `SELECT count(*) FILTER (WHERE state IN ('queued', 'active'))::int AS open,
                count(*) FILTER (WHERE queue = 'library-scan' AND state = 'completed')::int AS scans
         FROM job_runs WHERE "createdAt" >= $1`,
        [since],
      );
      return rows[0].open === 0 && rows[0].scans > 0 ? true : undefined;
    },
    'the scan and every job it queued',
    timeoutMs,
    250,
  );
}
