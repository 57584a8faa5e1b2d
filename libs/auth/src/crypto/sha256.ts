import { createHash } from 'node:crypto';

/** Hex SHA-256: enough for high-entropy random secrets (refresh tokens, API keys), never for passwords. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
