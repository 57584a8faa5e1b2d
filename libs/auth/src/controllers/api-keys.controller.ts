import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { CurrentPrincipal } from '../decorators.js';
import { CreateApiKeyDto } from '../dto/api-keys.dto.js';
import type { Principal } from '../principal.js';
import { toApiKeyView } from '../views.js';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    return (await this.apiKeys.listForUser(principal.userId)).map(toApiKeyView);
  }

  @Post()
  @ApiOperation({ summary: 'Create a key for yourself; the key is shown in this response only' })
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateApiKeyDto) {
    const { key, record } = await this.apiKeys.create({ id: principal.userId, role: principal.role }, dto);
    return { ...toApiKeyView(record), key };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    await this.apiKeys.revoke(principal.userId, id);
  }
}
