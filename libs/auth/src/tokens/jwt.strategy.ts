import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { USER_ROLES } from '@marquee/contracts';
import { AppConfig } from '@marquee/core';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { ACCESS_TOKEN_TYPE, JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER } from '../auth.constants.js';
import { scopesAllowedFor } from '../api-keys/api-keys.service.js';
import type { Principal } from '../principal.js';
import { SessionRevocation } from '../sessions/session-revocation.js';
import type { AccessTokenClaims } from './access-token.service.js';

/**
 * Bearer access tokens (passport-jwt): HS256 only, issuer, audience and expiry checked, `typ` must be
 * "access", and the session it names must still be active.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly revocation: SessionRevocation,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  async validate(claims: Partial<AccessTokenClaims>): Promise<Principal> {
    const { sub, sid, role, name, typ } = claims;
    if (
      typ !== ACCESS_TOKEN_TYPE ||
      typeof sub !== 'string' ||
      typeof sid !== 'string' ||
      typeof name !== 'string' ||
      !USER_ROLES.includes(role!)
    ) {
      throw new UnauthorizedException('Not an access token');
    }
    if (!(await this.revocation.isActive({ sessionId: sid, userId: sub, username: name, role: role! }))) {
      throw new UnauthorizedException('This session has ended; sign in again');
    }
    return { userId: sub, username: name, role: role!, via: 'jwt', sessionId: sid, scopes: scopesAllowedFor(role!) };
  }
}
