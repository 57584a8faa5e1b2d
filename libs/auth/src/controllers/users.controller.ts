import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal } from '../decorators.js';
import { PageQueryDto } from '@marquee/core';
import { CreateUserDto, UpdateUserDto } from '../dto/users.dto.js';
import type { Principal } from '../principal.js';
import { SessionService } from '../sessions/session.service.js';
import { UsersService } from '../users/users.service.js';
import { toUserView } from '../users/user.view.js';
import { toSessionView } from '../views.js';

@ApiTags('users')
@ApiBearerAuth()
@AdminOnly()
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
  ) {}

  @Get()
  async list(@Query() page: PageQueryDto) {
    const [items, total] = await this.users.list(page.limit, page.offset);
    return { items: items.map(toUserView), total, limit: page.limit, offset: page.offset };
  }

  @Post()
  async create(@Body() dto: CreateUserDto) {
    return toUserView(await this.users.create(dto));
  }

  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string) {
    return toUserView(await this.users.get(id));
  }

  @Patch(':id')
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateUserDto, @CurrentPrincipal() principal: Principal) {
    return toUserView(await this.users.update(id, dto, principal.userId));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    await this.users.remove(id, principal.userId);
  }

  @Get(':id/sessions')
  async sessionsOf(@Param('id', ParseUUIDPipe) id: string) {
    await this.users.get(id);
    return (await this.sessions.listActive(id)).map((s) => toSessionView(s));
  }

  @Delete(':id/sessions/:sessionId')
  @HttpCode(204)
  async revokeSession(@Param('id', ParseUUIDPipe) id: string, @Param('sessionId', ParseUUIDPipe) sessionId: string) {
    if (!(await this.sessions.findOwned(id, sessionId))) throw new NotFoundException('No such session');
    await this.sessions.revoke(sessionId, 'revoked-by-admin');
  }
}
