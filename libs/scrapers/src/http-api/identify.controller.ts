import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal } from '@marquee/auth/decorators.js';
import type { Principal } from '@marquee/auth/principal.js';
import type { ApplyScrapeResponse, IdentifyResponse } from '@marquee/contracts';
import { IdentifyService } from '../identify/identify.service.js';
import { ApplyScrapeDto, IdentifyDto } from './dto.js';

@ApiTags('plugins')
@ApiBearerAuth()
@AdminOnly()
@Controller('items')
export class IdentifyController {
  constructor(private readonly identifyService: IdentifyService) {}

  @Post(':id/identify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Candidates from every capable, enabled scraper, each with a match score (0–1), best first' })
  identify(@Param('id', ParseUUIDPipe) id: string, @Body() dto: IdentifyDto): Promise<IdentifyResponse> {
    return this.identifyService.identify(id, dto);
  }

  @Post(':id/apply-scrape')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Apply a candidate: queues a metadata-import job that writes unlocked fields, downloads artwork and records the edit',
  })
  applyScrape(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ApplyScrapeDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ApplyScrapeResponse> {
    return this.identifyService.apply(id, dto, principal);
  }
}
