import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { UserRole } from '@marquee/contracts';
import { RecentLookups } from '@marquee/core';
import { DataSource } from 'typeorm';
import type { Principal } from '../principal.js';
import { AccountChanges } from '../users/account-changes.js';
import { StreamTokenService } from './stream-token.service.js';

interface StreamAccount {
  id: string;
  username: string;
  role: UserRole;
  disabled: boolean;
}

/**
 * How long an account read for a signed stream URL is reused. Players send many range requests a
 * second, and reading the account for each one cost more than the bytes sent for a small range.
 * Marquee's own changes (disable, delete, role) apply at once (AccountChanges); a change made in the
 * database behind its back, or by another api process, within this time.
 */
export const STREAM_ACCOUNT_TTL_MS = 1000;

/** Who a signed stream URL (`?st=`) stands for, with its account checked (see STREAM_ACCOUNT_TTL_MS). */
@Injectable()
export class StreamTokenAuthenticator {
  private readonly accounts = new RecentLookups<StreamAccount | undefined>(STREAM_ACCOUNT_TTL_MS, 10_000);

  constructor(
    private readonly tokens: StreamTokenService,
    @InjectDataSource() private readonly dataSource: DataSource,
    changes: AccountChanges,
  ) {
    changes.subscribe((userId) => this.accounts.forget(userId));
  }

  /** Undefined when the token is forged, expired or for another item, or its user is gone or disabled. */
  async authenticate(token: string, itemId: string): Promise<Principal | undefined> {
    const userId = this.tokens.verify(token, itemId);
    if (!userId) return undefined;
    // One primary-key lookup without the ORM.
    const user = await this.accounts.get(userId, async () => {
      const [row] = await this.dataSource.query<StreamAccount[]>(`SELECT id, username, role, disabled FROM users WHERE id = $1`, [userId]);
      return row;
    });
    if (!user || user.disabled) return undefined;
    return { userId: user.id, username: user.username, role: user.role, via: 'stream-token', scopes: ['stream'], streamItemId: itemId };
  }
}
