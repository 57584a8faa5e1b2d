import { Body, Controller, Get, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '@marquee/auth/decorators.js';
import type { Principal } from '@marquee/auth/principal.js';
import type { ScrobbleResponse } from '@marquee/contracts';
import type { Response } from 'express';
import { HistoryQueryDto, ScrobbleDto } from '../dto.js';
import { HistoryService } from './history.service.js';

@ApiTags('user data')
@ApiBearerAuth()
@Controller('me/history')
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get()
  @ApiOperation({ summary: 'Your plays, latest first' })
  list(@Query() query: HistoryQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.history.list(principal.userId, query);
  }

  @Post()
  @ApiOperation({
    summary:
      'Scrobble: report a play; it counts after half a track or 4 minutes (videos: 90 %) — 201 when recorded, 200 when it did not count or was already recorded',
  })
  async scrobble(
    @Body() dto: ScrobbleDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ScrobbleResponse> {
    const result = await this.history.scrobble(principal.userId, dto);
    res.status(result.counted && !result.duplicate ? HttpStatus.CREATED : HttpStatus.OK);
    return result;
  }
}
