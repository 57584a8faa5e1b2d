import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobEventBus } from '../events/event-bus.js';

export { JOB_EVENTS_CHANNEL } from '../events/event-bus.js';

export type JobEventType = 'job' | 'queue' | 'scan';

/**
 * Records dashboard events (job and queue changes, scan progress) in `job_events` — the replay log
 * behind SSE's Last-Event-ID — then wakes listeners on every api replica through the event bus
 * (Redis pub/sub or PostgreSQL NOTIFY) with the new id. The row is committed before the notification
 * goes out, so a listener always finds it.
 */
@Injectable()
export class JobEventsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bus: JobEventBus,
  ) {}

  async publish(type: JobEventType, data: Record<string, unknown>): Promise<string> {
    const rows = await this.dataSource.query<{ id: string }[]>(`INSERT INTO job_events (type, data) VALUES ($1, $2) RETURNING id`, [
      type,
      JSON.stringify(data),
    ]);
    const id = String(rows[0].id);
    await this.bus.notify(id);
    return id;
  }
}
