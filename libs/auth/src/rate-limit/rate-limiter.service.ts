import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@marquee/core';
import { DataSource } from 'typeorm';
import { PostgresRateLimitStore } from './postgres-rate-limit.store.js';
import type { RateLimitStore } from './rate-limit.store.js';
import { RedisRateLimitStore } from './redis-rate-limit.store.js';

export interface RateLimitRule {
  /** Namespaces the keys: the same key under two rules is counted twice. */
  name: string;
  /** Hits allowed per window. */
  limit: number;
  windowMs: number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** Hits counted in the current window (by `consume`: this one included). */
  count: number;
  /** Hits still allowed in the current window. */
  remaining: number;
  /** Seconds until the window ends and the count restarts: at least 1 when refused, 0 when no window is open. */
  retryAfterSeconds: number;
}

/** The `key` column is varchar(300). */
const MAX_KEY_LENGTH = 300;

/**
 * Fixed-window rate limiting: the first hit on a key opens a window of `rule.windowMs`; hits beyond
 * `rule.limit` within it are refused. Counts live in Redis when configured (shared by every api
 * replica), otherwise in PostgreSQL.
 */
@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly primary: RateLimitStore;
  /** While Redis is unreachable, counts go to PostgreSQL rather than failing every sign-in. */
  private readonly fallback?: RateLimitStore;
  private usingFallback = false;

  constructor(config: AppConfig, dataSource: DataSource) {
    const postgres = new PostgresRateLimitStore(dataSource);
    this.primary = config.redisUrl ? new RedisRateLimitStore(config.redisUrl) : postgres;
    this.fallback = config.redisUrl ? postgres : undefined;
  }

  private async withStore<T>(operation: (store: RateLimitStore) => Promise<T>): Promise<T> {
    if (!this.fallback) return operation(this.primary);
    try {
      const value = await operation(this.primary);
      if (this.usingFallback) this.logger.log('Redis is back: rate limits counted there again');
      this.usingFallback = false;
      return value;
    } catch (error) {
      if (!this.usingFallback)
        this.logger.warn(`Redis unreachable, rate limits counted in PostgreSQL meanwhile: ${(error as Error).message}`);
      this.usingFallback = true;
      return operation(this.fallback);
    }
  }

  /** Counts one hit on `key` and says whether it is within the limit. */
  async consume(rule: RateLimitRule, key: string): Promise<RateLimitResult> {
    const { count, msLeft } = await this.withStore((store) => store.hit(storageKey(rule, key), Math.max(1, Math.ceil(rule.windowMs))));
    return result(rule, count, msLeft, count <= rule.limit);
  }

  /** Where `key` stands, without counting a hit: `allowed` tells whether the next hit would be. */
  async peek(rule: RateLimitRule, key: string): Promise<RateLimitResult> {
    const { count, msLeft } = await this.withStore((store) => store.get(storageKey(rule, key)));
    return result(rule, count, msLeft, count < rule.limit);
  }

  /** Forgets the count of `key`, e.g. after a successful login. */
  async reset(rule: RateLimitRule, key: string): Promise<void> {
    await this.withStore((store) => store.delete(storageKey(rule, key)));
  }

  async onModuleDestroy(): Promise<void> {
    await this.primary.close();
  }
}

function storageKey(rule: RateLimitRule, key: string): string {
  const full = `${rule.name}:${key}`;
  if (full.length <= MAX_KEY_LENGTH) return full;
  return `${rule.name.slice(0, 100)}:sha256:${createHash('sha256').update(full).digest('hex')}`;
}

function result(rule: RateLimitRule, count: number, msLeft: number, allowed: boolean): RateLimitResult {
  const seconds = Math.ceil(msLeft / 1000);
  return {
    allowed,
    count,
    remaining: Math.max(0, rule.limit - count),
    retryAfterSeconds: allowed ? seconds : Math.max(1, seconds),
  };
}
