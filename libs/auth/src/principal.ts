import type { UserRole } from '@marquee/contracts';
import type { ApiKeyScope } from './entities/api-key.entity.js';

/** Who is calling, however they proved it. Attached to the request by the auth guard. */
export interface Principal {
  userId: string;
  username: string;
  role: UserRole;
  via: 'jwt' | 'api-key' | 'stream-token';
  sessionId?: string;
  apiKeyId?: string;
  /** API keys carry scopes; a signed-in user has every scope their role allows. */
  scopes: readonly ApiKeyScope[];
  /** A stream token is good for this one item only. */
  streamItemId?: string;
}

export type RequestWithPrincipal = { principal?: Principal };
