import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { UserRole } from '@marquee/contracts';
import { AppConfig } from '@marquee/core';
import jwt from 'jsonwebtoken';
import { ACCESS_TOKEN_TYPE, JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER } from '../auth.constants.js';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  name: string;
  role: UserRole;
  typ: typeof ACCESS_TOKEN_TYPE;
}

/** Short-lived access JWTs: HS256 with the server secret, bound to a session (`sid`). */
@Injectable()
export class AccessTokenService {
  constructor(private readonly config: AppConfig) {}

  get ttlSeconds(): number {
    return this.config.accessTokenTtlSeconds;
  }

  sign(user: { id: string; username: string; role: UserRole }, sessionId: string): string {
    const claims: AccessTokenClaims = { sub: user.id, sid: sessionId, name: user.username, role: user.role, typ: ACCESS_TOKEN_TYPE };
    return jwt.sign(claims, this.config.jwtSecret, {
      algorithm: JWT_ALGORITHM,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      expiresIn: this.config.accessTokenTtlSeconds,
      // Two tokens of one session issued within the same second must still differ (a refresh must change the token).
      jwtid: randomUUID(),
    });
  }
}
