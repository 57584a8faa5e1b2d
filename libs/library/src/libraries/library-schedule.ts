import { Injectable } from '@nestjs/common';
import { QueueService } from '@marquee/jobs';
import type { Library } from '../entities/library.entity.js';

const schedulerId = (libraryId: string) => `library-scan:${libraryId}`;

/**
 * Each library's periodic scan: a BullMQ job scheduler keyed by the library, so it runs once per
 * interval across every worker and changes when the library's interval does.
 */
@Injectable()
export class LibrarySchedule {
  constructor(private readonly queues: QueueService) {}

  async sync(library: Pick<Library, 'id' | 'scanIntervalMinutes'>): Promise<void> {
    if (!library.scanIntervalMinutes) return this.remove(library.id);
    await this.queues
      .queue('library-scan')
      .upsertJobScheduler(
        schedulerId(library.id),
        { every: library.scanIntervalMinutes * 60_000 },
        { name: 'scan', data: { libraryId: library.id }, opts: { priority: 10 } },
      );
  }

  async remove(libraryId: string): Promise<void> {
    await this.queues.queue('library-scan').removeJobScheduler(schedulerId(libraryId));
  }
}
