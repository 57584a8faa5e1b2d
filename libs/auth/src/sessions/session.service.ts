import { randomBytes } from 'node:crypto';
import { Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig } from '@marquee/core';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { RefreshToken } from '../entities/refresh-token.entity.js';
import { Session } from '../entities/session.entity.js';
import { User } from '../entities/user.entity.js';
import { SessionRevocation } from './session-revocation.js';
import { sha256 } from '../crypto/sha256.js';

export interface SessionMeta {
  userAgent?: string;
  ip?: string;
}

export interface IssuedSession {
  session: Session;
  refreshToken: string;
}

const newRefreshToken = () => `mqr_${randomBytes(32).toString('base64url')}`;

/** Sessions and their rotating refresh tokens. */
@Injectable()
export class SessionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly revocation: SessionRevocation,
  ) {}

  async create(user: User, meta: SessionMeta): Promise<IssuedSession> {
    return this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const session = await manager.save(
        manager.create(Session, {
          userId: user.id,
          lastUsedAt: now,
          absoluteExpiresAt: new Date(now.getTime() + this.config.sessionTtlDays * 86_400_000),
          userAgent: meta.userAgent?.slice(0, 256) ?? null,
          ip: meta.ip?.slice(0, 64) ?? null,
        }),
      );
      return { session, refreshToken: await this.issueToken(manager, session.id) };
    });
  }

  private async issueToken(manager: EntityManager, sessionId: string): Promise<string> {
    const token = newRefreshToken();
    await manager.insert(RefreshToken, { sessionId, tokenHash: sha256(token) });
    return token;
  }

  /**
   * Exchanges a refresh token for a new one. A token that was already exchanged means it was stolen
   * (or replayed): the whole session is revoked and the caller refused.
   */
  async rotate(refreshToken: string, meta: SessionMeta): Promise<IssuedSession & { user: User }> {
    const refused = (detail: string) => new UnauthorizedException(detail);
    if (typeof refreshToken !== 'string' || !refreshToken.startsWith('mqr_') || refreshToken.length > 100) {
      throw refused('Invalid refresh token');
    }
    type Outcome = { kind: 'rotated'; session: Session; user: User; refreshToken: string } | { kind: 'reused'; sessionId: string };
    const outcome = await this.dataSource.transaction(async (manager): Promise<Outcome> => {
      const token = await manager
        .getRepository(RefreshToken)
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .where('t."tokenHash" = :hash', { hash: sha256(refreshToken) })
        .getOne();
      if (!token) throw refused('Invalid refresh token');
      const session = await manager.findOneBy(Session, { id: token.sessionId });
      const user = session && (await manager.findOneBy(User, { id: session.userId }));
      if (!session || !user || session.revokedAt || session.absoluteExpiresAt.getTime() <= Date.now())
        throw refused('The session has ended; sign in again');
      if (user.disabled) throw refused('This account is disabled');
      if (token.rotatedAt) {
        await manager.update(
          Session,
          { id: session.id, revokedAt: IsNull() },
          { revokedAt: new Date(), revokedReason: 'refresh-token-reuse' },
        );
        return { kind: 'reused', sessionId: session.id };
      }
      await manager.update(RefreshToken, { id: token.id }, { rotatedAt: new Date() });
      await manager.update(Session, { id: session.id }, { lastUsedAt: new Date(), ip: meta.ip?.slice(0, 64) ?? session.ip });
      return { kind: 'rotated', session, user, refreshToken: await this.issueToken(manager, session.id) };
    });
    if (outcome.kind === 'reused') {
      // Committed before refusing: the revocation must stick even though this request fails.
      await this.revocation.sessionsRevoked([outcome.sessionId]);
      throw refused('This refresh token was already used; the session has been revoked. Sign in again');
    }
    return outcome;
  }

  /** The user a refresh token belongs to (rotated or not), for per-account limits; undefined when unknown. */
  async ownerOfRefreshToken(refreshToken: string): Promise<string | undefined> {
    if (typeof refreshToken !== 'string' || !refreshToken.startsWith('mqr_') || refreshToken.length > 100) return undefined;
    const rows = await this.dataSource.query<{ userId: string }[]>(
      `SELECT s."userId" FROM refresh_tokens t JOIN sessions s ON s.id = t."sessionId" WHERE t."tokenHash" = $1`,
      [sha256(refreshToken)],
    );
    return rows[0]?.userId;
  }

  async revoke(sessionId: string, reason: string): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(Session)
      .update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: new Date(), revokedReason: reason });
    await this.revocation.sessionsRevoked([sessionId]);
    return (result.affected ?? 0) > 0;
  }

  /** Ends every session of a user, except (optionally) the one making the request. */
  async revokeAllForUser(userId: string, reason: string, exceptSessionId?: string): Promise<number> {
    const rows = await this.dataSource.query<[{ id: string }[], number]>(
      `UPDATE sessions SET "revokedAt" = now(), "revokedReason" = $2
        WHERE "userId" = $1 AND "revokedAt" IS NULL AND ($3::uuid IS NULL OR id <> $3::uuid) RETURNING id`,
      [userId, reason, exceptSessionId ?? null],
    );
    // For UPDATE … RETURNING the postgres driver answers [rows, affectedCount].
    const ids = rows[0] as unknown as { id: string }[];
    await this.revocation.sessionsRevoked(ids.map((r) => r.id));
    return ids.length;
  }

  /** Active sessions of a user, newest first. */
  listActive(userId: string): Promise<Session[]> {
    return this.dataSource
      .getRepository(Session)
      .createQueryBuilder('s')
      .where('s."userId" = :userId AND s."revokedAt" IS NULL AND s."absoluteExpiresAt" > now()', { userId })
      .orderBy('s."lastUsedAt"', 'DESC')
      .getMany();
  }

  findOwned(userId: string, sessionId: string): Promise<Session | null> {
    return this.dataSource.getRepository(Session).findOneBy({ id: sessionId, userId });
  }
}
