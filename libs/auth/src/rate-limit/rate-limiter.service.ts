import { createHash } from 'node:crypto';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
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
  private readonly store: RateLimitStore;

  constructor(config: AppConfig, dataSource: DataSource) {
    this.store = config.redisUrl ? new RedisRateLimitStore(config.redisUrl) : new PostgresRateLimitStore(dataSource);
  }

  /** Counts one hit on `key` and says whether it is within the limit. */
  async consume(rule: RateLimitRule, key: string): Promise<RateLimitResult> {
    const { count, msLeft } = await this.store.hit(storageKey(rule, key), Math.max(1, Math.ceil(rule.windowMs)));
    return result(rule, count, msLeft, count <= rule.limit);
  }

  /** Where `key` stands, without counting a hit: `allowed` tells whether the next hit would be. */
  async peek(rule: RateLimitRule, key: string): Promise<RateLimitResult> {
    const { count, msLeft } = await this.store.get(storageKey(rule, key));
    return result(rule, count, msLeft, count < rule.limit);
  }

  /** Forgets the count of `key`, e.g. after a successful login. */
  async reset(rule: RateLimitRule, key: string): Promise<void> {
    await this.store.delete(storageKey(rule, key));
  }

  async onModuleDestroy(): Promise<void> {
    await this.store.close();
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
