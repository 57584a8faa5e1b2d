import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AccessTokenService, SessionService, UsersService } from '../../libs/auth/src/index.js';
import type { UserRole } from '@marquee/contracts';

export interface TestAccount {
  id: string;
  username: string;
  password: string;
  role: UserRole;
  accessToken: string;
  refreshToken: string;
  sessionId: string;
}

/** Creates an account with a signed-in session directly through the services (no HTTP, no rate limits). */
export async function createAccount(api: NestExpressApplication, role: UserRole, name: string = role): Promise<TestAccount> {
  const username = `${name}-${randomBytes(4).toString('hex')}`;
  const password = `correct horse ${randomBytes(6).toString('hex')}`;
  const user = await api.get(UsersService).create({ username, password, role });
  const { session, refreshToken } = await api.get(SessionService).create(user, { ip: '127.0.0.1', userAgent: 'tests' });
  const accessToken = api.get(AccessTokenService).sign(user, session.id);
  return { id: user.id, username, password, role, accessToken, refreshToken, sessionId: session.id };
}

/** A seeded admin and a seeded user, for any test that needs callers. */
export async function seedAccounts(api: NestExpressApplication): Promise<{ admin: TestAccount; user: TestAccount }> {
  return { admin: await createAccount(api, 'admin'), user: await createAccount(api, 'user') };
}

export const bearer = (account: Pick<TestAccount, 'accessToken'> | string) => ({
  Authorization: `Bearer ${typeof account === 'string' ? account : account.accessToken}`,
});
