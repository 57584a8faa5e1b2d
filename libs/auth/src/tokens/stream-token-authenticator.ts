import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { UserRole } from '@marquee/contracts';
import { DataSource } from 'typeorm';
import type { Principal } from '../principal.js';
import { StreamTokenService } from './stream-token.service.js';

/**
 * Who a signed stream URL (`?st=`) stands for. The account is read on every request, so a disabled or
 * deleted user's stream URLs stop working at once — one primary-key lookup, without the ORM, because
 * players ask many times a second.
 */
@Injectable()
export class StreamTokenAuthenticator {
  constructor(
    private readonly tokens: StreamTokenService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Undefined when the token is forged, expired or for another item, or its user is gone or disabled. */
  async authenticate(token: string, itemId: string): Promise<Principal | undefined> {
    const userId = this.tokens.verify(token, itemId);
    if (!userId) return undefined;
    const [user] = await this.dataSource.query<{ id: string; username: string; role: UserRole; disabled: boolean }[]>(
      `SELECT id, username, role, disabled FROM users WHERE id = $1`,
      [userId],
    );
    if (!user || user.disabled) return undefined;
    return { userId: user.id, username: user.username, role: user.role, via: 'stream-token', scopes: ['stream'], streamItemId: itemId };
  }
}
