import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { API_KEY_HEADER, STREAM_TOKEN_QUERY } from '../auth.constants.js';
import { ApiKeysService, scopeSatisfies } from '../api-keys/api-keys.service.js';
import { ADMIN_ROUTE, PUBLIC_ROUTE, REQUIRED_SCOPE, STREAM_ROUTE } from '../decorators.js';
import type { ApiKeyScope } from '../entities/api-key.entity.js';
import type { Principal, RequestWithPrincipal } from '../principal.js';
import { StreamTokenAuthenticator } from '../tokens/stream-token-authenticator.js';

class JwtGuard extends AuthGuard('jwt') {
  override handleRequest<T>(error: unknown, principal: T | false, info: unknown): T {
    if (error) throw error;
    if (!principal) {
      const reason = info instanceof Error ? info.message : 'invalid token';
      throw new UnauthorizedException(
        reason === 'jwt expired' ? 'The access token has expired; refresh it' : `Invalid access token (${reason})`,
      );
    }
    return principal;
  }
}

/**
 * The one gate in front of every route (registered as a global guard): authenticates the caller by
 * Bearer access token, X-Api-Key or — on streaming routes only — a signed `?st=` token, then checks
 * admin-only routes and API-key scopes. Routes are closed unless marked @Public().
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly jwt = new JwtGuard();

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly streamTokens: StreamTokenAuthenticator,
  ) {}

  private flag(key: string, context: ExecutionContext): boolean {
    return this.reflector.getAllAndOverride<boolean>(key, [context.getHandler(), context.getClass()]) === true;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || this.flag(PUBLIC_ROUTE, context)) return true;
    const req = context.switchToHttp().getRequest<Request & RequestWithPrincipal & { user?: Principal }>();
    const streamRoute = this.flag(STREAM_ROUTE, context);
    const principal = await this.authenticate(context, req, streamRoute);

    const adminRoute = this.flag(ADMIN_ROUTE, context);
    if (adminRoute && principal.role !== 'admin') throw new ForbiddenException('This needs an administrator');
    const required: ApiKeyScope = adminRoute
      ? 'admin'
      : streamRoute
        ? 'stream'
        : (this.reflector.getAllAndOverride<ApiKeyScope>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]) ??
          (req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'write'));
    if (!scopeSatisfies(principal.scopes, required)) {
      throw new ForbiddenException(`This credential lacks the "${required}" scope`);
    }
    req.principal = principal;
    return true;
  }

  private async authenticate(context: ExecutionContext, req: Request & { user?: Principal }, streamRoute: boolean): Promise<Principal> {
    if (req.headers.authorization) {
      if (!/^Bearer\s+\S+$/i.test(req.headers.authorization))
        throw new UnauthorizedException('Authorization must be "Bearer <access token>"');
      await this.jwt.canActivate(context);
      return req.user!;
    }
    const apiKey = req.headers[API_KEY_HEADER];
    if (typeof apiKey === 'string' && apiKey) {
      const principal = await this.apiKeys.authenticate(apiKey);
      if (!principal) throw new UnauthorizedException('Invalid, expired or revoked API key');
      return principal;
    }
    const streamToken = req.query[STREAM_TOKEN_QUERY];
    if (streamRoute && typeof streamToken === 'string') {
      const itemId = String(req.params.itemId ?? req.params.id ?? '');
      const principal = await this.streamTokens.authenticate(streamToken, itemId);
      if (!principal) throw new UnauthorizedException('Invalid or expired stream token');
      return principal;
    }
    throw new UnauthorizedException('Authentication required: send "Authorization: Bearer <access token>" or "X-Api-Key: <key>"');
  }
}
