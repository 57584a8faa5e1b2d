import { Module } from '@nestjs/common';
import { JobsWorkerModule, QueuesModule } from '@marquee/jobs';
import { ScrapeEditingModule } from '@marquee/library/editing/scrape-editing.module.js';
import { PluginsCoreModule } from '@marquee/plugins';
import { MetadataImportProcessor } from './import/metadata-import.processor.js';
import { ScrapedArtworkImporter } from './import/scraped-artwork.js';
import { ScraperRegistry } from './scraper-registry.service.js';

/** The worker side of scrapers: `metadata-import` jobs. */
@Module({
  imports: [QueuesModule, JobsWorkerModule, PluginsCoreModule, ScrapeEditingModule],
  providers: [ScraperRegistry, ScrapedArtworkImporter, MetadataImportProcessor],
})
export class ScrapersWorkerModule {}
