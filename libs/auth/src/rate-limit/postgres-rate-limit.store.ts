import type { DataSource } from 'typeorm';
import type { BucketState, RateLimitStore } from './rate-limit.store.js';

const SWEEP_INTERVAL_MS = 60_000;

const MS_LEFT = `GREATEST(0, EXTRACT(EPOCH FROM ("resetAt" - now())) * 1000)::float8 AS "msLeft"`;

// One statement, so concurrent hits on one key serialise on its row. Times come from the database
// clock, which every api replica shares.
const HIT_SQL = `
  INSERT INTO rate_limit_buckets (key, count, "resetAt")
  VALUES ($1, 1, now() + $2::float8 * interval '1 millisecond')
  ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN rate_limit_buckets."resetAt" <= now() THEN 1 ELSE rate_limit_buckets.count + 1 END,
    "resetAt" = CASE WHEN rate_limit_buckets."resetAt" <= now() THEN EXCLUDED."resetAt" ELSE rate_limit_buckets."resetAt" END
  RETURNING count, ${MS_LEFT}`;

const GET_SQL = `SELECT count, ${MS_LEFT} FROM rate_limit_buckets WHERE key = $1 AND "resetAt" > now()`;

/** Counters in the `rate_limit_buckets` table, for installations without Redis. */
export class PostgresRateLimitStore implements RateLimitStore {
  private lastSweep = 0;
  private sweeping?: Promise<void>;

  constructor(private readonly dataSource: DataSource) {}

  async hit(key: string, windowMs: number): Promise<BucketState> {
    this.sweepOccasionally();
    const rows = await this.dataSource.query<BucketState[]>(HIT_SQL, [key, windowMs]);
    return rows[0];
  }

  async get(key: string): Promise<BucketState> {
    const rows = await this.dataSource.query<BucketState[]>(GET_SQL, [key]);
    return rows[0] ?? { count: 0, msLeft: 0 };
  }

  async delete(key: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM rate_limit_buckets WHERE key = $1`, [key]);
  }

  /** Waits for a sweep still running, so the DataSource can be closed after this. */
  async close(): Promise<void> {
    await this.sweeping;
  }

  /** Expired rows are dead weight (a hit resets them anyway): delete them at most once a minute, in the background. */
  private sweepOccasionally(): void {
    const now = Date.now();
    if (this.sweeping || now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    this.sweeping = this.dataSource
      .query(`DELETE FROM rate_limit_buckets WHERE "resetAt" <= now()`)
      // A failed sweep costs nothing but disk space; the next one retries.
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.sweeping = undefined;
      });
  }
}
