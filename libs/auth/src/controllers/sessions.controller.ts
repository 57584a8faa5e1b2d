import { Controller, Delete, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../decorators.js';
import type { Principal } from '../principal.js';
import { SessionService } from '../sessions/session.service.js';
import { toSessionView } from '../views.js';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    return (await this.sessions.listActive(principal.userId)).map((s) => toSessionView(s, principal.sessionId));
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    const session = await this.sessions.findOwned(principal.userId, id);
    if (!session) throw new NotFoundException('No such session');
    await this.sessions.revoke(id, 'revoked');
  }
}
