import { Module } from '@nestjs/common';
import { QueuesModule } from '@marquee/jobs';
import { ScrapeEditingModule } from '@marquee/library/editing/scrape-editing.module.js';
import { PluginsCoreModule } from '@marquee/plugins';
import { IdentifyController } from './http-api/identify.controller.js';
import { ScrapersController } from './http-api/scrapers.controller.js';
import { IdentifyService } from './identify/identify.service.js';
import { ScraperRegistry } from './scraper-registry.service.js';

/** The HTTP side of scrapers (admin): the scraper list, identify and apply-scrape. */
@Module({
  imports: [QueuesModule, PluginsCoreModule, ScrapeEditingModule],
  controllers: [ScrapersController, IdentifyController],
  providers: [ScraperRegistry, IdentifyService],
})
export class ScrapersHttpModule {}
