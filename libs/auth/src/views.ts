import type { ApiKey } from './entities/api-key.entity.js';
import type { Session } from './entities/session.entity.js';

export function toSessionView(session: Session, currentSessionId?: string) {
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    expiresAt: session.absoluteExpiresAt.toISOString(),
    userAgent: session.userAgent,
    ip: session.ip,
    current: session.id === currentSessionId,
  };
}

export function toApiKeyView(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    prefix: `mq_${key.prefix}`,
    scopes: key.scopes,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    createdAt: key.createdAt.toISOString(),
  };
}
