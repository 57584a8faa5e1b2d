import { randomBytes, timingSafeEqual } from 'node:crypto';
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { UserRole } from '@marquee/contracts';
import { DataSource, IsNull } from 'typeorm';
import { ApiKey, type ApiKeyScope } from '../entities/api-key.entity.js';
import { User } from '../entities/user.entity.js';
import type { Principal } from '../principal.js';
import { sha256 } from '../crypto/sha256.js';

const KEY_PATTERN = /^mq_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
/** Refresh `lastUsedAt` at most this often, so a busy client does not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface NewApiKey {
  name: string;
  scopes: ApiKeyScope[];
  expiresAt?: Date | null;
}

/** Which scopes each role may hand out. */
export function scopesAllowedFor(role: UserRole): ApiKeyScope[] {
  return role === 'admin' ? ['read', 'stream', 'write', 'admin'] : ['read', 'stream', 'write'];
}

/** `write` implies `read`; `admin` implies everything. */
export function scopeSatisfies(granted: readonly ApiKeyScope[], required: ApiKeyScope): boolean {
  return granted.includes('admin') || granted.includes(required) || (required === 'read' && granted.includes('write'));
}

/**
 * API keys: `mq_<12-char prefix>_<43-char secret>`. The prefix is stored in clear to find the key and
 * show it in lists; the whole key only as SHA-256 (a 256-bit random secret needs no slow hash).
 */
@Injectable()
export class ApiKeysService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get keys() {
    return this.dataSource.getRepository(ApiKey);
  }

  async create(owner: { id: string; role: UserRole }, input: NewApiKey): Promise<{ key: string; record: ApiKey }> {
    const allowed = scopesAllowedFor(owner.role);
    const excess = input.scopes.filter((s) => !allowed.includes(s));
    if (excess.length) throw new BadRequestException(`Your role cannot grant the scope(s): ${excess.join(', ')}`);
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new BadRequestException('expiresAt must be in the future');
    const prefix = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
    const key = `mq_${prefix}_${randomBytes(32).toString('base64url')}`;
    const record = await this.keys.save(
      this.keys.create({
        userId: owner.id,
        name: input.name,
        prefix,
        keyHash: sha256(key),
        scopes: [...new Set(input.scopes)],
        expiresAt: input.expiresAt ?? null,
      }),
    );
    return { key, record };
  }

  listForUser(userId: string): Promise<ApiKey[]> {
    return this.keys.find({ where: { userId, revokedAt: IsNull() }, order: { createdAt: 'DESC' } });
  }

  /** Revokes the caller's own key; another user's key id is "not found". */
  async revoke(userId: string, id: string): Promise<void> {
    const result = await this.keys.update({ id, userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) throw new NotFoundException('No such API key');
  }

  /** The principal a presented key stands for, or undefined when it is unknown, revoked, expired or its user disabled. */
  async authenticate(presented: string): Promise<Principal | undefined> {
    const match = KEY_PATTERN.exec(presented);
    if (!match) return undefined;
    const record = await this.keys.findOneBy({ prefix: match[1] });
    if (!record) return undefined;
    const expected = Buffer.from(record.keyHash, 'hex');
    const given = Buffer.from(sha256(presented), 'hex');
    if (!timingSafeEqual(expected, given) || record.revokedAt || (record.expiresAt && record.expiresAt.getTime() <= Date.now()))
      return undefined;
    const user = await this.dataSource.getRepository(User).findOneBy({ id: record.userId });
    if (!user || user.disabled) return undefined;
    if (!record.lastUsedAt || Date.now() - record.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.keys.update({ id: record.id }, { lastUsedAt: new Date() });
    }
    // A key never grants more than its owner's current role allows.
    const scopes = record.scopes.filter((s) => scopesAllowedFor(user.role).includes(s));
    return { userId: user.id, username: user.username, role: user.role, via: 'api-key', apiKeyId: record.id, scopes };
  }
}
