import { HttpException, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import type { RateLimitResult, RateLimitRule } from './rate-limiter.service.js';

export const AUTH_RATE_LIMITS = {
  /** Every sign-in attempt from one address. */
  loginPerIp: { name: 'login-ip', limit: 20, windowMs: 5 * 60_000 },
  /** Failed sign-ins against one account, from anywhere (reset by a success). */
  loginFailuresPerAccount: { name: 'login-account', limit: 10, windowMs: 15 * 60_000 },
  refreshPerIp: { name: 'refresh-ip', limit: 60, windowMs: 60_000 },
  /** Refreshes of one account's sessions, from anywhere: a handful of devices need a few a minute. */
  refreshPerAccount: { name: 'refresh-account', limit: 30, windowMs: 60_000 },
  registerPerIp: { name: 'register-ip', limit: 10, windowMs: 60 * 60_000 },
} satisfies Record<string, RateLimitRule>;

/** 429 with Retry-After when a limit is exhausted. */
export function refuseWhenLimited(result: RateLimitResult, res: Response, what: string): void {
  if (result.allowed) return;
  res.setHeader('Retry-After', String(result.retryAfterSeconds));
  throw new HttpException(`Too many ${what}; try again in ${result.retryAfterSeconds} seconds`, HttpStatus.TOO_MANY_REQUESTS);
}
