import { API_PREFIX } from '@marquee/contracts';
import { MAX_PART } from './direct-stream.dto.js';

/** What a direct-play request by signed URL asks for, when it has exactly the plain shape the fast path serves. */
export interface FastPathTarget {
  itemId: string;
  token: string;
  part?: number;
}

export interface FastPathRequest {
  method: string;
  originalUrl: string;
  headers: Record<string, string | string[] | undefined>;
}

const PATH = new RegExp(`^/${API_PREFIX}/stream/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`, 'i');
const PART = /^[1-9][0-9]{0,2}$/;
const MAX_TOKEN_LENGTH = 512;

/**
 * The requests the direct-play fast path may answer: GET or HEAD of `stream/<uuid>` carrying a signed
 * `st` token and at most a `part`, each once, and no other credential (a Bearer header or an API key
 * takes precedence in the guard, so such requests keep the full route). Anything else is undefined:
 * the request goes through the normal route, its checks and its errors.
 */
export function fastPathTarget(req: FastPathRequest): FastPathTarget | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  if (req.headers.authorization !== undefined || req.headers['x-api-key'] !== undefined) return undefined;
  const queryAt = req.originalUrl.indexOf('?');
  const path = queryAt < 0 ? req.originalUrl : req.originalUrl.slice(0, queryAt);
  const match = PATH.exec(path);
  if (!match || queryAt < 0) return undefined;
  const query = new URLSearchParams(req.originalUrl.slice(queryAt + 1));
  const keys = [...query.keys()];
  if (keys.some((key) => key !== 'st' && key !== 'part') || new Set(keys).size !== keys.length) return undefined;
  const token = query.get('st');
  if (!token || token.length > MAX_TOKEN_LENGTH) return undefined;
  const part = query.get('part');
  if (part !== null && (!PART.test(part) || Number(part) > MAX_PART)) return undefined;
  return { itemId: match[1].toLowerCase(), token, ...(part !== null ? { part: Number(part) } : {}) };
}
