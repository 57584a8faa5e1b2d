import { Module } from '@nestjs/common';
import { ArtworkModule } from '../artwork/artwork.module.js';
import { ScrapeSubjectReader } from './scrape-subject.reader.js';
import { ScrapedFieldsWriter } from './scraped-fields-writer.js';

/**
 * What the identify and metadata-import flows (libs/scrapers) need of the library, in the api and
 * the worker alike: reading an item as scrapers see it, writing accepted fields, and artwork.
 */
@Module({
  imports: [ArtworkModule],
  providers: [ScrapeSubjectReader, ScrapedFieldsWriter],
  exports: [ScrapeSubjectReader, ScrapedFieldsWriter, ArtworkModule],
})
export class ScrapeEditingModule {}
