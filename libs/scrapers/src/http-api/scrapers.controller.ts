import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@marquee/auth/decorators.js';
import type { ScraperView } from '@marquee/contracts';
import { ScraperRegistry } from '../scraper-registry.service.js';

@ApiTags('plugins')
@ApiBearerAuth()
@AdminOnly()
@Controller('plugins')
export class ScrapersController {
  constructor(private readonly registry: ScraperRegistry) {}

  @Get('scrapers')
  @ApiOperation({ summary: 'Every scraper: built in (NFO, embedded tags, file name), plugin entries and declarative HTTP scrapers' })
  async list(): Promise<{ items: ScraperView[]; total: number }> {
    const items = await this.registry.views();
    return { items, total: items.length };
  }
}
