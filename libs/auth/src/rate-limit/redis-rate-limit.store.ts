import { redisOptionsFromUrl } from '@marquee/core';
import { Redis } from 'ioredis';
import type { BucketState, RateLimitStore } from './rate-limit.store.js';

const KEY_PREFIX = 'marquee:rl:';

// INCR, then an expiry only when the key has none (PTTL -1: this hit created it), in one atomic script.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  ttl = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {count, ttl}`;

const GET_SCRIPT = `
local count = redis.call('GET', KEYS[1])
if not count then return {0, 0} end
return {tonumber(count), math.max(redis.call('PTTL', KEYS[1]), 0)}`;

type RateLimitRedis = Redis & {
  rateLimitHit(key: string, windowMs: number): Promise<[number, number]>;
  rateLimitGet(key: string): Promise<[number, number]>;
};

/** Counters in Redis, shared by every api replica. */
export class RedisRateLimitStore implements RateLimitStore {
  private client?: Promise<RateLimitRedis>;

  constructor(private readonly redisUrl: string) {}

  async hit(key: string, windowMs: number): Promise<BucketState> {
    const [count, msLeft] = await (await this.redis()).rateLimitHit(KEY_PREFIX + key, windowMs);
    return { count, msLeft };
  }

  async get(key: string): Promise<BucketState> {
    const [count, msLeft] = await (await this.redis()).rateLimitGet(KEY_PREFIX + key);
    return { count, msLeft };
  }

  async delete(key: string): Promise<void> {
    await (await this.redis()).del(KEY_PREFIX + key);
  }

  async close(): Promise<void> {
    const pending = this.client;
    this.client = undefined;
    const redis = await pending?.catch(() => undefined);
    await redis?.quit().catch(() => redis.disconnect());
  }

  private redis(): Promise<RateLimitRedis> {
    this.client ??= this.connect().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  /**
   * A client that fails fast while Redis is away rather than holding requests in an offline queue.
   * Without that queue a command sent before the connection is up fails, so connect first.
   */
  private async connect(): Promise<RateLimitRedis> {
    const options = redisOptionsFromUrl(this.redisUrl);
    let connected = false;
    const redis = new Redis({
      ...options,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2000,
      lazyConnect: true,
      // Reconnect in the background only once connected: a first connection that fails ends this
      // client (the next request makes a new one) instead of leaving it retrying.
      retryStrategy: (times) => (connected ? options.retryStrategy?.(times) : null),
    });
    redis.once('ready', () => {
      connected = true;
    });
    // Failures surface through the commands.
    redis.on('error', () => undefined);
    redis.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    redis.defineCommand('rateLimitGet', { numberOfKeys: 1, lua: GET_SCRIPT });
    await redis.connect();
    return redis as RateLimitRedis;
  }
}
