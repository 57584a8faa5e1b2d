import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { ApiKeyScope } from './entities/api-key.entity.js';
import type { Principal, RequestWithPrincipal } from './principal.js';

export { Public, PUBLIC_ROUTE } from '@marquee/core/http/public.decorator.js';

export const ADMIN_ROUTE = 'marquee:admin';
export const REQUIRED_SCOPE = 'marquee:scope';
export const STREAM_ROUTE = 'marquee:stream';

/** Admins only (and API keys with the `admin` scope); everyone else gets 403. */
export const AdminOnly = () => SetMetadata(ADMIN_ROUTE, true);

/** The API-key scope a route needs; by default GET/HEAD need `read`, other methods `write`. */
export const RequireScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE, scope);

/**
 * A streaming route: also accepts the signed `?st=` token for the item named by the `:itemId` (or
 * `:id`) route parameter, and needs the `stream` scope from API keys.
 */
export const StreamRoute = () => SetMetadata(STREAM_ROUTE, true);

/** The authenticated caller. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
