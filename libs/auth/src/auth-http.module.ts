import { Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AppConfig } from '@marquee/core';
import { SettingsModule } from '@marquee/system/settings.module.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { ApiKeysController } from './controllers/api-keys.controller.js';
import { AuthController } from './controllers/auth.controller.js';
import { SessionsController } from './controllers/sessions.controller.js';
import { SettingsController } from './controllers/settings.controller.js';
import { UsersController } from './controllers/users.controller.js';
import { AccessGuard } from './guards/access.guard.js';
import { PasswordHasher } from './passwords/password-hasher.service.js';
import { RateLimiter } from './rate-limit/rate-limiter.service.js';
import { SessionRevocation } from './sessions/session-revocation.js';
import { SessionService } from './sessions/session.service.js';
import { AccessTokenService } from './tokens/access-token.service.js';
import { JwtStrategy } from './tokens/jwt.strategy.js';
import { StreamTokenAuthenticator } from './tokens/stream-token-authenticator.js';
import { StreamTokenService } from './tokens/stream-token.service.js';
import { AccountChanges } from './users/account-changes.js';
import { UsersService } from './users/users.service.js';

/**
 * The api side of auth: accounts, sessions, API keys, and the global guard that closes every route
 * not marked @Public().
 */
@Module({
  imports: [PassportModule, SettingsModule],
  controllers: [AuthController, SessionsController, ApiKeysController, UsersController, SettingsController],
  providers: [
    PasswordHasher,
    RateLimiter,
    SessionRevocation,
    SessionService,
    AccessTokenService,
    StreamTokenService,
    StreamTokenAuthenticator,
    JwtStrategy,
    ApiKeysService,
    UsersService,
    AccountChanges,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [UsersService, SessionService, AccessTokenService, StreamTokenService, StreamTokenAuthenticator, ApiKeysService],
})
export class AuthHttpModule implements OnApplicationBootstrap {
  constructor(
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.users.ensureInitialAdmin(this.config.initialAdmin);
  }
}
