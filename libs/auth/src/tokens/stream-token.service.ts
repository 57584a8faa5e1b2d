import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@marquee/core';

const VERSION = 'v1';
const DEFAULT_TTL_SECONDS = 6 * 3600;

/**
 * Signed stream URLs (`?st=`) for players that cannot send headers: bound to a user, one item and an
 * expiry, HMAC-SHA256 with a key derived from the server secret. Accepted by streaming routes only.
 */
@Injectable()
export class StreamTokenService {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.jwtSecret, 'marquee', 'stream-token', 32));
  }

  sign(userId: string, itemId: string, ttlSeconds = DEFAULT_TTL_SECONDS, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + ttlSeconds;
    const body = `${VERSION}.${userId}.${itemId}.${expires}`;
    return `${Buffer.from(body).toString('base64url')}.${this.mac(body)}`;
  }

  /** The user id the token was issued to, or undefined when it is forged, expired or for another item. */
  verify(token: string, itemId: string, now = Date.now()): string | undefined {
    if (typeof token !== 'string' || token.length > 512) return undefined;
    const [encoded, mac] = token.split('.');
    if (!encoded || !mac) return undefined;
    const body = Buffer.from(encoded, 'base64url').toString();
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const [version, userId, boundItem, expires] = body.split('.');
    if (version !== VERSION || boundItem !== itemId || !userId) return undefined;
    if (!/^\d+$/.test(expires ?? '') || Number(expires) * 1000 < now) return undefined;
    return userId;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
