import { Processor } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import type { LibraryScanPayload, QueueName } from '@marquee/contracts';
import { type JobContext, LedgerProcessor, QUEUE_POLICIES, WORKER_OPTIONS } from '@marquee/jobs';
import { type Job, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { Library } from '../entities/library.entity.js';
import { LibraryScanner } from './library-scanner.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `library-scan`: one library (or some paths in it) walked and brought up to date. */
@Processor('library-scan', { ...WORKER_OPTIONS, concurrency: QUEUE_POLICIES['library-scan'].concurrency })
export class LibraryScanProcessor extends LedgerProcessor {
  protected readonly queueName: QueueName = 'library-scan';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scanner: LibraryScanner,
  ) {
    super();
  }

  protected async handle(job: Job<LibraryScanPayload>, ctx: JobContext): Promise<Record<string, unknown>> {
    const { libraryId, paths } = job.data ?? ({} as LibraryScanPayload);
    if (typeof libraryId !== 'string' || !UUID.test(libraryId))
      throw new UnrecoverableError('The scan payload needs "libraryId", a library id');
    if (paths !== undefined && (!Array.isArray(paths) || paths.some((path) => typeof path !== 'string')))
      throw new UnrecoverableError('"paths" must be a list of absolute paths');
    const library = await this.dataSource.getRepository(Library).findOneBy({ id: libraryId });
    if (!library) throw new UnrecoverableError(`Library ${libraryId} no longer exists`);
    const summary = await this.scanner.scan(library, {
      paths,
      signal: ctx.signal,
      progress: (percent, message) => ctx.progress(percent, message),
      log: (message, level) => ctx.log(message, level),
    });
    await ctx.log(
      `${library.name}: ${summary.files} files in ${summary.directories} folders — ${summary.added} new, ${summary.changed} changed, ` +
        `${summary.moved} moved, ${summary.missing} missing, ${summary.unchanged} unchanged, ${summary.ignored} ignored, ${summary.failed} failed, ` +
        `${summary.unreadable} known unreadable ` +
        `(${summary.durationMs} ms)`,
    );
    return { library: library.name, ...summary };
  }
}
