import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';

/** OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane. */
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password.normalize('NFC'), { ...ARGON2_OPTIONS, type: argon2.argon2id });
  }

  /** False on a wrong password and on a hash argon2 cannot parse. */
  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password.normalize('NFC'));
    } catch {
      return false;
    }
  }

  /**
   * Spends as long as a real verify, so that a login for an unknown user takes as long as one with a
   * wrong password and does not reveal which usernames exist.
   */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash(randomBytes(32).toString('base64url'));
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** True when the hash was made with weaker (or other) parameters than today's: rehash after a successful login. */
  needsRehash(hash: string): boolean {
    // argon2.needsRehash compares the cost parameters only, not the variant.
    if (!hash.startsWith('$argon2id$')) return true;
    try {
      return argon2.needsRehash(hash, ARGON2_OPTIONS);
    } catch {
      return true;
    }
  }
}
