import { Redis } from 'ioredis';
import { redisOptionsFromUrl } from './queue-backend.js';

/**
 * A Redis client for checks and caches that have a fallback: while Redis is away its commands fail
 * at once instead of waiting in an offline queue, and it keeps reconnecting in the background.
 * Callers see failures through their commands, so connection errors are not re-emitted.
 */
export function createFailFastRedis(redisUrl: string, options: { lazyConnect?: boolean } = {}): Redis {
  const redis = new Redis({
    ...redisOptionsFromUrl(redisUrl),
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    lazyConnect: options.lazyConnect ?? false,
  });
  redis.on('error', () => undefined);
  return redis;
}
