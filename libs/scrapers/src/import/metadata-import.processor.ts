import { Processor } from '@nestjs/bullmq';
import type { EditableItemField, MetadataImportPayload, QueueName, ScrapedMetadata } from '@marquee/contracts';
import { EDITABLE_ITEM_FIELDS } from '@marquee/contracts';
import { type JobContext, LedgerProcessor, QUEUE_POLICIES, WORKER_OPTIONS } from '@marquee/jobs';
import { ScrapeSubjectReader } from '@marquee/library/editing/scrape-subject.reader.js';
import { type ScrapedFieldValues, ScrapedFieldsWriter } from '@marquee/library/editing/scraped-fields-writer.js';
import { PluginRunError, SafeFetchError } from '@marquee/plugins';
import { type Job, UnrecoverableError } from 'bullmq';
import { ScraperRegistry } from '../scraper-registry.service.js';
import { ScrapedArtworkImporter } from './scraped-artwork.js';

/** The editable fields of a scrape, limited to `only` when given. */
export function scrapedFieldValues(metadata: ScrapedMetadata, only?: EditableItemField[]): ScrapedFieldValues {
  const values: Record<string, unknown> = {};
  for (const field of EDITABLE_ITEM_FIELDS) {
    if (only && !only.includes(field)) continue;
    const value = (metadata as Record<string, unknown>)[field];
    if (value !== undefined && !(field === 'title' && (value === null || value === ''))) values[field] = value;
  }
  return values as ScrapedFieldValues;
}

/**
 * `metadata-import`: an admin accepted a candidate. The scraper is asked for the full metadata,
 * unlocked fields are written (locked ones kept, and said so in the log), artwork is downloaded and
 * re-encoded, and one history row (source `scrape`) records it all.
 */
@Processor('metadata-import', { ...WORKER_OPTIONS, concurrency: QUEUE_POLICIES['metadata-import'].concurrency })
export class MetadataImportProcessor extends LedgerProcessor {
  protected readonly queueName: QueueName = 'metadata-import';

  constructor(
    private readonly subjects: ScrapeSubjectReader,
    private readonly registry: ScraperRegistry,
    private readonly writer: ScrapedFieldsWriter,
    private readonly artwork: ScrapedArtworkImporter,
  ) {
    super();
  }

  protected async handle(job: Job<MetadataImportPayload>, ctx: JobContext): Promise<Record<string, unknown>> {
    const { itemId, ref, fields, requestedBy } = job.data;
    const scraper = await this.registry.get(job.data.scraper);
    if (!scraper) throw new UnrecoverableError(`Scraper ${job.data.scraper} no longer exists`);
    if (!scraper.enabled) throw new UnrecoverableError(`Scraper ${scraper.id} belongs to a disabled plugin`);
    const subject = await this.subjects.load(itemId);
    await ctx.progress(10, `asking ${scraper.name}`);
    let metadata: ScrapedMetadata;
    try {
      metadata = await scraper.scrape(subject, ref);
    } catch (error) {
      // A plugin's failure was its own (already final) job; a refused fetch fails the same way again.
      if (error instanceof PluginRunError || (error instanceof SafeFetchError && error.reason === 'refused'))
        throw new UnrecoverableError((error as Error).message);
      throw error;
    }
    ctx.throwIfCancelled();

    let artworkResults: Awaited<ReturnType<ScrapedArtworkImporter['import']>> = { results: [], changes: {} };
    const pictures = job.data.artwork ? (metadata.artwork ?? []) : [];
    if (pictures.length) {
      await ctx.progress(40, `downloading ${pictures.length} picture(s)`);
      artworkResults = await this.artwork.import(itemId, pictures, scraper.artworkHosts, ctx.signal);
      for (const result of artworkResults.results) {
        if (result.error) await ctx.log(`${result.kind} artwork not imported: ${result.error}`, 'warn');
        else if (!result.stored) await ctx.log(`${result.kind} artwork kept: it is locked or a higher-ranked picture exists`);
      }
    }
    ctx.throwIfCancelled();
    await ctx.progress(80, 'writing fields');
    const outcome = await this.writer.apply(itemId, scrapedFieldValues(metadata, fields), requestedBy, artworkResults.changes);
    if (outcome.keptLocked.length) await ctx.log(`kept locked fields: ${outcome.keptLocked.join(', ')}`);
    return {
      scraper: scraper.id,
      changed: Object.keys(outcome.changes),
      keptLocked: outcome.keptLocked,
      artwork: artworkResults.results,
    };
  }
}
