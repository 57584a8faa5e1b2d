import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AppConfig, dataSourceOptions } from '@marquee/core';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { availableQueueBackends, testConfig } from '../../../../test/helpers/test-config.js';
import { RateLimiter, type RateLimitRule } from './rate-limiter.service.js';

const stores = availableQueueBackends();
if (!stores.includes('redis')) {
  // Reported in the run's output so a green run without Redis is not mistaken for a Redis pass.
  test.skip('Redis rate-limit store (skipped: REDIS_URL is not set)', () => undefined);
}

/** A rule of its own per test, so tests never share counters (Redis keys outlive a run until they expire). */
const rule = (limit: number, windowMs = 60_000): RateLimitRule => ({ name: `test-${randomUUID()}`, limit, windowMs });

async function openDataSource(config: AppConfig): Promise<DataSource> {
  return new DataSource(dataSourceOptions(config.databaseUrl, 'marquee-test')).initialize();
}

describe.each(stores)('RateLimiter on the %s store', (store) => {
  let config: AppConfig;
  let dataSource: DataSource;
  let limiter: RateLimiter;

  beforeAll(async () => {
    config = testConfig(store === 'redis' ? { queueBackend: 'redis' } : {});
    dataSource = await openDataSource(config);
    limiter = new RateLimiter(config, dataSource);
  });

  afterAll(async () => {
    await limiter?.onModuleDestroy();
    await dataSource?.destroy();
  });

  it('allows `limit` hits in a window, then refuses with a Retry-After', async () => {
    const r = rule(3);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.consume(r, 'alice'));
    expect(results.map(({ allowed, count, remaining }) => ({ allowed, count, remaining }))).toEqual([
      { allowed: true, count: 1, remaining: 2 },
      { allowed: true, count: 2, remaining: 1 },
      { allowed: true, count: 3, remaining: 0 },
      { allowed: false, count: 4, remaining: 0 },
    ]);
    expect(results[3].retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(results[3].retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('peeks without counting', async () => {
    const r = rule(2);
    expect(await limiter.peek(r, 'bob')).toEqual({ allowed: true, count: 0, remaining: 2, retryAfterSeconds: 0 });
    await limiter.consume(r, 'bob');
    expect(await limiter.peek(r, 'bob')).toMatchObject({ allowed: true, count: 1, remaining: 1 });
    await limiter.consume(r, 'bob');
    // The limit is used up: the next hit would be refused.
    const peeked = await limiter.peek(r, 'bob');
    expect(peeked).toMatchObject({ allowed: false, count: 2, remaining: 0 });
    expect(peeked.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(await limiter.peek(r, 'bob')).toMatchObject({ count: 2 });
  });

  it('counts keys, and the same key under different rules, independently', async () => {
    const r = rule(1);
    const other = rule(1);
    expect((await limiter.consume(r, 'carol')).allowed).toBe(true);
    expect((await limiter.consume(r, 'carol')).allowed).toBe(false);
    expect((await limiter.consume(r, 'dave')).allowed).toBe(true);
    expect((await limiter.consume(other, 'carol')).allowed).toBe(true);
  });

  it('starts a new window when the old one ends, without extending it on later hits', async () => {
    const r = rule(2, 300);
    expect(await limiter.consume(r, 'erin')).toMatchObject({ allowed: true, count: 1 });
    await sleep(150);
    expect(await limiter.consume(r, 'erin')).toMatchObject({ allowed: true, count: 2 });
    expect(await limiter.consume(r, 'erin')).toMatchObject({ allowed: false, count: 3, retryAfterSeconds: 1 });
    // 400 ms after the first hit: the window it opened has ended, although the last hit was ~250 ms ago.
    await sleep(250);
    expect(await limiter.peek(r, 'erin')).toMatchObject({ allowed: true, count: 0 });
    expect(await limiter.consume(r, 'erin')).toMatchObject({ allowed: true, count: 1, remaining: 1 });
  });

  it('forgets a key on reset', async () => {
    const r = rule(1);
    await limiter.consume(r, 'frank');
    expect((await limiter.consume(r, 'frank')).allowed).toBe(false);
    await limiter.reset(r, 'frank');
    expect(await limiter.consume(r, 'frank')).toMatchObject({ allowed: true, count: 1 });
    await limiter.reset(r, 'nobody');
  });

  it('allows exactly `limit` of 50 concurrent hits', async () => {
    const r = rule(10);
    const results = await Promise.all(Array.from({ length: 50 }, () => limiter.consume(r, 'burst')));
    expect(results.filter((res) => res.allowed)).toHaveLength(10);
    expect(results.map((res) => res.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('shares one count between replicas', async () => {
    const otherDataSource = await openDataSource(config);
    const replica = new RateLimiter(testConfig(store === 'redis' ? { queueBackend: 'redis' } : {}), otherDataSource);
    try {
      const r = rule(4);
      const hits = await Promise.all([
        limiter.consume(r, 'grace'),
        replica.consume(r, 'grace'),
        limiter.consume(r, 'grace'),
        replica.consume(r, 'grace'),
      ]);
      expect(hits.every((hit) => hit.allowed)).toBe(true);
      expect((await replica.consume(r, 'grace')).allowed).toBe(false);
      expect(await limiter.peek(r, 'grace')).toMatchObject({ count: 5 });
      await replica.reset(r, 'grace');
      expect(await limiter.peek(r, 'grace')).toMatchObject({ count: 0 });
    } finally {
      await replica.onModuleDestroy();
      await otherDataSource.destroy();
    }
  });

  it('keeps keys longer than the 300-character column apart by hashing them', async () => {
    const r = rule(1);
    const long = 'x'.repeat(1000);
    expect((await limiter.consume(r, `${long}a`)).allowed).toBe(true);
    expect((await limiter.consume(r, `${long}a`)).allowed).toBe(false);
    expect((await limiter.consume(r, `${long}b`)).allowed).toBe(true);
  });

  it(`keeps its counters in ${store === 'redis' ? 'Redis' : 'PostgreSQL'}`, async () => {
    const r = rule(5, 30_000);
    await limiter.consume(r, 'heidi');
    const rows = await dataSource.query<{ count: number }[]>(`SELECT count FROM rate_limit_buckets WHERE key = $1`, [`${r.name}:heidi`]);
    if (store === 'postgres') {
      expect(rows).toEqual([{ count: 1 }]);
    } else {
      expect(rows).toEqual([]);
      const redis = new Redis(config.redisUrl!);
      try {
        expect(await redis.get(`marquee:rl:${r.name}:heidi`)).toBe('1');
        const ttl = await redis.pttl(`marquee:rl:${r.name}:heidi`);
        expect(ttl).toBeGreaterThan(25_000);
        expect(ttl).toBeLessThanOrEqual(30_000);
      } finally {
        redis.disconnect();
      }
    }
  });
});

describe('RateLimiter on the postgres store', () => {
  it('deletes expired buckets in the background', async () => {
    const config = testConfig();
    const dataSource = await openDataSource(config);
    const limiter = new RateLimiter(config, dataSource);
    try {
      const expired = `test-${randomUUID()}:stale`;
      await dataSource.query(`INSERT INTO rate_limit_buckets (key, count, "resetAt") VALUES ($1, 3, now() - interval '1 second')`, [
        expired,
      ]);
      await limiter.consume(rule(1), 'ivan');
      await limiter.onModuleDestroy(); // waits for the sweep that hit started
      expect(await dataSource.query(`SELECT 1 FROM rate_limit_buckets WHERE key = $1`, [expired])).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});

describe('RateLimiter with Redis configured but unreachable', () => {
  it('fails fast instead of hanging', async () => {
    const config = testConfig({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    const limiter = new RateLimiter(config, undefined as unknown as DataSource);
    const started = Date.now();
    await expect(limiter.consume(rule(1), 'judy')).rejects.toThrow();
    await expect(limiter.consume(rule(1), 'judy')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    await limiter.onModuleDestroy();
  });
});
