import { Body, Controller, Get, HttpCode, Post, Put, Req, Res, BadRequestException, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { RegistrationState } from '@marquee/contracts';
import type { Request, Response } from 'express';
import { REFRESH_COOKIE, REFRESH_COOKIE_PATH, REFRESH_TRANSPORT_HEADER } from '../auth.constants.js';
import { CurrentPrincipal, Public } from '../decorators.js';
import { ChangePasswordDto, LoginDto, RefreshDto, RegisterDto } from '../dto/auth.dto.js';
import type { User } from '../entities/user.entity.js';
import type { Principal } from '../principal.js';
import { AUTH_RATE_LIMITS, refuseWhenLimited } from '../rate-limit/auth-rate-limits.js';
import { RateLimiter } from '../rate-limit/rate-limiter.service.js';
import { SessionService, type IssuedSession } from '../sessions/session.service.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { UsersService } from '../users/users.service.js';
import { toUserView } from '../users/user.view.js';

const clientIp = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';
const meta = (req: Request) => ({ ip: clientIp(req), userAgent: req.headers['user-agent'] });

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly accessTokens: AccessTokenService,
    private readonly limiter: RateLimiter,
  ) {}

  /**
   * Access token in the body; the refresh token in the body for external clients, or — when the
   * browser asks with `X-Refresh-Token-Transport: cookie` — only in an httpOnly, SameSite=Strict
   * cookie that script cannot read and that is sent to the auth routes alone.
   */
  private respond(req: Request, res: Response, user: User, issued: IssuedSession, fromCookie = false) {
    const body = {
      accessToken: this.accessTokens.sign(user, issued.session.id),
      expiresIn: this.accessTokens.ttlSeconds,
      user: toUserView(user),
    };
    if (fromCookie || req.headers[REFRESH_TRANSPORT_HEADER] === 'cookie') {
      res.cookie(REFRESH_COOKIE, issued.refreshToken, {
        httpOnly: true,
        sameSite: 'strict',
        secure: req.secure,
        path: REFRESH_COOKIE_PATH,
        expires: issued.session.absoluteExpiresAt,
      });
      return body;
    }
    return { ...body, refreshToken: issued.refreshToken };
  }

  @Public()
  @Get('registration')
  @ApiOperation({ summary: 'Whether the next account is the first (it becomes the administrator), and whether registration is open' })
  registration(): Promise<RegistrationState> {
    return this.users.registration();
  }

  @Public()
  @Post('register')
  @ApiOperation({ summary: 'Create an account. The first account becomes admin; afterwards only while registration is open.' })
  async register(@Body() dto: RegisterDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    refuseWhenLimited(await this.limiter.consume(AUTH_RATE_LIMITS.registerPerIp, clientIp(req)), res, 'registrations');
    return toUserView(await this.users.register(dto));
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in: a short-lived access token and a rotating refresh token' })
  async login(@Body() dto: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const account = dto.username.toLowerCase();
    refuseWhenLimited(await this.limiter.consume(AUTH_RATE_LIMITS.loginPerIp, clientIp(req)), res, 'sign-in attempts');
    refuseWhenLimited(await this.limiter.peek(AUTH_RATE_LIMITS.loginFailuresPerAccount, account), res, 'failed sign-ins for this account');
    const user = await this.users.verifyCredentials(dto.username, dto.password);
    if (!user) {
      await this.limiter.consume(AUTH_RATE_LIMITS.loginFailuresPerAccount, account);
      throw new UnauthorizedException('Wrong username or password');
    }
    if (user.disabled) throw new UnauthorizedException('This account is disabled');
    await this.limiter.reset(AUTH_RATE_LIMITS.loginFailuresPerAccount, account);
    return this.respond(req, res, user, await this.sessions.create(user, meta(req)));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token (body or cookie) for new tokens; reusing an old one revokes the session' })
  async refresh(@Body() dto: RefreshDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    refuseWhenLimited(await this.limiter.consume(AUTH_RATE_LIMITS.refreshPerIp, clientIp(req)), res, 'refreshes');
    const cookie = (req.cookies as Record<string, string> | undefined)?.[REFRESH_COOKIE];
    const token = dto.refreshToken ?? cookie;
    if (!token) throw new UnauthorizedException('No refresh token: send it in the body or the refresh cookie');
    // Checked before rotating: a refused refresh must leave the presented token usable.
    const owner = await this.sessions.ownerOfRefreshToken(token);
    if (owner) refuseWhenLimited(await this.limiter.consume(AUTH_RATE_LIMITS.refreshPerAccount, owner), res, 'refreshes for this account');
    try {
      const rotated = await this.sessions.rotate(token, meta(req));
      return this.respond(req, res, rotated.user, rotated, !dto.refreshToken && Boolean(cookie));
    } catch (error) {
      if (cookie && !dto.refreshToken) res.clearCookie(REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH });
      throw error;
    }
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End this session: its refresh token and access tokens stop working at once' })
  async logout(@CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: Response) {
    if (!principal.sessionId) throw new BadRequestException('API keys have no session; revoke the key instead');
    await this.sessions.revoke(principal.sessionId, 'logout');
    res.clearCookie(REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH });
  }

  @Get('me')
  @ApiBearerAuth()
  async me(@CurrentPrincipal() principal: Principal) {
    const user = await this.users.get(principal.userId);
    return { ...toUserView(user), authenticatedBy: principal.via, sessionId: principal.sessionId ?? null, scopes: principal.scopes };
  }

  @Put('me/password')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change your password (needs the current one); your other sessions end' })
  async changePassword(@CurrentPrincipal() principal: Principal, @Body() dto: ChangePasswordDto) {
    await this.users.changeOwnPassword(principal.userId, dto.currentPassword, dto.newPassword, principal.sessionId);
  }
}
