import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppConfig, createFailFastRedis } from '@marquee/core';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';

export interface SessionClaims {
  sessionId: string;
  userId: string;
  username: string;
  role: 'admin' | 'user';
}

/**
 * Answers "is this session still good?" on every request with an access token, so logout, revocation
 * and disabling a user take effect at once. With Redis, revocations are published there (any replica
 * sees them without touching the database); the database stays the source of truth.
 */
@Injectable()
export class SessionRevocation implements OnModuleInit, OnModuleDestroy {
  private redis?: Redis;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * Connects at start, so the first logout is not the first command (a command sent before the
   * connection is up would fail fast and only reach Redis on retry, a second later).
   */
  async onModuleInit(): Promise<void> {
    const redis = this.client();
    if (redis && redis.status !== 'ready') {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          redis.off('ready', done);
          resolve();
        };
        const timer = setTimeout(done, 5000);
        redis.once('ready', done);
      });
    }
  }

  private client(): Redis | undefined {
    if (!this.config.redisUrl) return undefined;
    // Fail fast while Redis is away: the database answers instead, and revocations are retried.
    this.redis ??= createFailFastRedis(this.config.redisUrl);
    return this.redis;
  }

  private sessionKey = (sessionId: string) => `marquee:revoked-session:${sessionId}`;
  private userKey = (userId: string) => `marquee:blocked-user:${userId}`;

  /**
   * Revocations that could not reach Redis (it was down): retried every second until they land, so
   * replicas that read Redis again after the outage still see them. The database already has them.
   */
  private readonly pending = new Map<string, number | null | 'delete'>();
  private retryTimer?: NodeJS.Timeout;

  private async write(entries: [key: string, ttlSeconds: number | null | 'delete'][]): Promise<void> {
    const redis = this.client();
    if (!redis || entries.length === 0) return;
    try {
      const multi = redis.multi();
      for (const [key, ttl] of entries) {
        if (ttl === 'delete') multi.del(key);
        else if (ttl === null) multi.set(key, '1');
        else multi.set(key, '1', 'EX', ttl);
      }
      await multi.exec();
    } catch {
      for (const [key, ttl] of entries) this.pending.set(key, ttl);
      this.retryTimer ??= setInterval(() => void this.retryPending(), 1000).unref();
    }
  }

  private async retryPending(): Promise<void> {
    const entries = [...this.pending.entries()];
    this.pending.clear();
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    await this.write(entries);
  }

  /** Marks sessions revoked for as long as an access token issued before could live. */
  async sessionsRevoked(sessionIds: string[]): Promise<void> {
    await this.write(sessionIds.map((id) => [this.sessionKey(id), this.config.accessTokenTtlSeconds + 60]));
  }

  async userBlocked(userId: string, blocked: boolean): Promise<void> {
    await this.write([[this.userKey(userId), blocked ? null : 'delete']]);
  }

  /**
   * True when the session behind an access token is still good. With Redis this is one MGET of the
   * revocation keys (the token's own claims are trusted for the rest); without it, or when Redis does
   * not answer, one indexed query of the session and its user.
   */
  async isActive(claims: SessionClaims): Promise<boolean> {
    const redis = this.client();
    if (redis) {
      try {
        const [revoked, blocked] = await redis.mget(this.sessionKey(claims.sessionId), this.userKey(claims.userId));
        return !revoked && !blocked;
      } catch {
        // Redis unavailable: ask the database.
      }
    }
    return this.activeInDatabase(claims);
  }

  private async activeInDatabase({ sessionId, userId, role }: SessionClaims): Promise<boolean> {
    const rows = await this.dataSource.query<
      { revokedAt: Date | null; absoluteExpiresAt: Date; disabled: boolean; username: string; role: 'admin' | 'user' }[]
    >(
      `SELECT s."revokedAt", s."absoluteExpiresAt", u.disabled, u.username, u.role
         FROM sessions s JOIN users u ON u.id = s."userId"
        WHERE s.id = $1 AND s."userId" = $2`,
      [sessionId, userId],
    );
    const row = rows[0];
    return Boolean(row && !row.revokedAt && !row.disabled && row.role === role && row.absoluteExpiresAt.getTime() > Date.now());
  }

  onModuleDestroy(): void {
    clearInterval(this.retryTimer);
    this.redis?.disconnect();
  }
}
