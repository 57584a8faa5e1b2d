import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type {
  ApplyScrapeRequest,
  ApplyScrapeResponse,
  IdentifyCandidate,
  IdentifyRequest,
  IdentifyResponse,
  MetadataImportPayload,
} from '@marquee/contracts';
import { JobLedger } from '@marquee/jobs';
import { ScrapeSubjectReader } from '@marquee/library/editing/scrape-subject.reader.js';
import { ScraperRegistry } from '../scraper-registry.service.js';
import { capabilityFor, defaultQuery, type Scraper } from '../scraper.js';
import { matchScore } from './match-score.js';

/**
 * The identify flow: every capable, enabled scraper is asked for candidates at once (a failing one
 * is reported and the others still answer), each candidate is scored against the item, best first.
 * Applying one queues a `metadata-import` job.
 */
@Injectable()
export class IdentifyService {
  constructor(
    private readonly subjects: ScrapeSubjectReader,
    private readonly registry: ScraperRegistry,
    private readonly ledger: JobLedger,
  ) {}

  async identify(itemId: string, request: IdentifyRequest): Promise<IdentifyResponse> {
    const subject = await this.subjects.load(itemId);
    const needed = capabilityFor(subject.type);
    if (!needed) throw new BadRequestException(`Items of type ${subject.type} cannot be identified: no scraper knows them`);
    const base = defaultQuery(subject);
    const query = { title: request.title?.trim() || base.title, year: request.year ?? (request.title ? null : base.year) };
    const scrapers = await this.chooseScrapers(needed, request.scrapers);

    const candidates: IdentifyCandidate[] = [];
    const errors: IdentifyResponse['errors'] = [];
    await Promise.all(
      scrapers.map(async (scraper) => {
        try {
          for (const candidate of await scraper.identify(subject, query)) {
            candidates.push({
              scraper: scraper.id,
              scraperName: scraper.name,
              ref: candidate.ref,
              title: candidate.title,
              year: candidate.year,
              overview: candidate.overview,
              score: matchScore(
                { title: query.title, year: query.year, providerIds: subject.providerIds },
                { title: candidate.title, year: candidate.year, providerIds: candidate.metadata.providerIds },
              ),
              metadata: candidate.metadata,
            });
          }
        } catch (error) {
          errors.push({ scraper: scraper.id, message: (error as Error).message });
        }
      }),
    );
    candidates.sort((a, b) => b.score - a.score || a.scraper.localeCompare(b.scraper) || a.title.localeCompare(b.title));
    errors.sort((a, b) => a.scraper.localeCompare(b.scraper));
    return { itemId, query, candidates, errors };
  }

  async apply(itemId: string, request: ApplyScrapeRequest, editor: { userId: string; username: string }): Promise<ApplyScrapeResponse> {
    const subject = await this.subjects.load(itemId);
    const needed = capabilityFor(subject.type);
    const scraper = await this.registry.get(request.scraper);
    if (!scraper) throw new NotFoundException(`No scraper "${request.scraper}" (see GET /api/v1/plugins/scrapers)`);
    if (!scraper.enabled) throw new ConflictException(`Scraper ${scraper.id} belongs to a disabled plugin; enable it first`);
    if (!needed || !scraper.capabilities.includes(needed))
      throw new BadRequestException(`Scraper ${scraper.id} cannot scrape items of type ${subject.type}`);
    const payload: MetadataImportPayload = {
      itemId,
      scraper: scraper.id,
      ref: request.ref,
      fields: request.fields,
      artwork: request.artwork ?? true,
      requestedBy: { userId: editor.userId, username: editor.username },
    };
    const { id, deduplicated } = await this.ledger.enqueue(
      'metadata-import',
      'apply-scrape',
      payload,
      { type: 'item', id: itemId, label: `${subject.title} · ${scraper.name}` },
      // The same candidate applied twice while the first is pending is one job; another candidate is its own.
      { dedupeKey: `metadata-import:${itemId}:${scraper.id}:${request.ref}`, priority: 'interactive' },
    );
    return { jobId: id, deduplicated };
  }

  private async chooseScrapers(capability: string, wanted: string[] | undefined): Promise<Scraper[]> {
    const all = await this.registry.all();
    if (wanted?.length) {
      const unknown = wanted.filter((id) => !all.some((scraper) => scraper.id === id));
      if (unknown.length) throw new BadRequestException(`Unknown scrapers: ${unknown.join(', ')} (see GET /api/v1/plugins/scrapers)`);
    }
    return all.filter(
      (scraper) =>
        scraper.enabled &&
        scraper.capabilities.includes('identify') &&
        scraper.capabilities.includes(capability as Scraper['capabilities'][number]) &&
        (!wanted?.length || wanted.includes(scraper.id)),
    );
  }
}
