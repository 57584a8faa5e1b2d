import { once } from 'node:events';
import { Controller, Get, Logger, type OnModuleDestroy, Req, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@marquee/auth/decorators.js';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { JobEventBus } from './event-bus.js';

/** Rows read from `job_events` at a time (replay and live alike). */
const PAGE_SIZE = 1000;
const HEARTBEAT_MS = 15_000;
/** EventSource's reconnection delay, sent as `retry:`. */
const CLIENT_RETRY_MS = 3000;
/**
 * An id gap younger than this may be an insert that has not committed yet (ids are taken before
 * commit): later rows wait for it that long before the gap is taken as final (a failed insert).
 */
const GAP_SETTLE_SECONDS = 2;
const GAP_RECHECK_MS = 250;
const RETRY_AFTER_ERROR_MS = 2000;
const MAX_BIGINT = 2n ** 63n - 1n;

interface EventRow {
  id: string;
  type: string;
  data: Record<string, unknown>;
  at: Date;
  settled: boolean;
}

/** A decimal event id, or undefined when absent or malformed (then nothing is replayed). */
function parseEventId(value: unknown): bigint | undefined {
  if (typeof value !== 'string' || !/^\d{1,19}$/.test(value.trim())) return undefined;
  const id = BigInt(value.trim());
  return id <= MAX_BIGINT ? id : undefined;
}

function formatEvent(row: EventRow): string {
  const data = JSON.stringify({ ...row.data, at: new Date(row.at).toISOString() });
  return `id: ${row.id}\nevent: ${row.type.replace(/[\r\n]/g, '')}\ndata: ${data}\n\n`;
}

/**
 * One client's stream. Notifications only say "something new": every read is `id > lastSent` in id
 * order, so ids arriving late, twice or out of order never skip or repeat an event; reads are
 * serialized, and notifications that come in meanwhile (or while waiting for 'drain') coalesce into
 * one more read.
 */
class EventStream {
  private lastSent = 0n;
  private started = false;
  private running = false;
  private again = false;
  private closed = false;
  private retryTimer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private readonly abort = new AbortController();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly res: Response,
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    bus: JobEventBus,
  ) {
    // Subscribed before the starting point is read, so nothing falls between the two.
    this.unsubscribe = bus.onEvent((id) => this.notified(id));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  start(after: bigint): void {
    this.lastSent = after;
    this.started = true;
    this.heartbeat = setInterval(() => {
      if (!this.res.writableNeedDrain) this.res.write(': ping\n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
    this.wake();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retryTimer);
    this.unsubscribe();
    this.abort.abort();
  }

  private notified(id: string): void {
    // An id already sent needs no read ('' means "maybe missed some": always read).
    if (this.started && /^\d{1,19}$/.test(id) && BigInt(id) <= this.lastSent) return;
    this.wake();
  }

  private wake(): void {
    if (this.closed) return;
    if (!this.started || this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.pump();
      } while (this.again && !this.closed);
    } catch (error) {
      if (!this.closed) {
        this.logger.warn(`Could not read job events for a stream, retrying: ${(error as Error).message}`);
        this.retryLater(RETRY_AFTER_ERROR_MS);
      }
    } finally {
      this.running = false;
    }
  }

  /** Sends every stored event after the last one sent, page by page, honouring backpressure. */
  private async pump(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const rows = await this.dataSource.query<EventRow[]>(
        `SELECT id::text AS id, type, data, at, at < now() - make_interval(secs => $3) AS settled
           FROM job_events WHERE id > $1 ORDER BY id LIMIT $2`,
        [this.lastSent.toString(), PAGE_SIZE, GAP_SETTLE_SECONDS],
      );
      for (const row of rows) {
        if (this.closed) return;
        const id = BigInt(row.id);
        // A fresh row after a gap: the missing id may still commit; hold on a moment for it.
        if (this.lastSent > 0n && id !== this.lastSent + 1n && !row.settled) {
          this.retryLater(GAP_RECHECK_MS);
          return;
        }
        this.lastSent = id;
        if (!this.res.write(formatEvent(row))) await this.drained();
      }
      if (rows.length < PAGE_SIZE) return;
    }
  }

  private async drained(): Promise<void> {
    try {
      await once(this.res, 'drain', { signal: this.abort.signal });
    } catch {
      // The client went away.
    }
  }

  private retryLater(ms: number): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.wake();
    }, ms);
    this.retryTimer.unref();
  }
}

@ApiTags('events')
@ApiBearerAuth()
@AdminOnly()
@Controller('events')
export class EventsController implements OnModuleDestroy {
  private readonly logger = new Logger(EventsController.name);
  private readonly streams = new Map<EventStream, Response>();

  constructor(
    private readonly bus: JobEventBus,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Server-Sent Events: job and queue changes and scan progress, from every replica',
    description:
      'Each event has `id`, `event` (its type: job, queue, scan) and JSON `data` with `at`. Reconnect with ' +
      'Last-Event-ID (or ?lastEventId=) to receive what was missed in the last hour. `: ping` comments every 15 s.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Replay events after this id' })
  @ApiQuery({ name: 'lastEventId', required: false, description: 'Same as the Last-Event-ID header, for EventSource polyfills' })
  async stream(@Req() req: Request, @Res() res: Response): Promise<void> {
    const requested = parseEventId(req.get('last-event-id')) ?? parseEventId(req.query.lastEventId);
    const stream = new EventStream(res, this.dataSource, this.logger, this.bus);
    // The request's own 'close' fires once its (empty) body is read; the response's marks the disconnect.
    res.on('close', () => {
      stream.close();
      this.streams.delete(stream);
    });
    let latest: bigint;
    try {
      const rows = await this.dataSource.query<{ max: string }[]>(`SELECT coalesce(max(id), 0)::text AS max FROM job_events`);
      latest = BigInt(rows[0].max);
    } catch (error) {
      stream.close();
      throw error;
    }
    if (stream.isClosed) return;

    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.setHeader('Connection', 'keep-alive');
    res.flushHeaders();
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true);
    res.write(`retry: ${CLIENT_RETRY_MS}\n\n`);
    this.streams.set(stream, res);
    // Without Last-Event-ID (or with one from before the log was emptied), start from now.
    stream.start(requested !== undefined && requested <= latest ? requested : latest);
  }

  /** Ends open streams so the server can close; clients reconnect (to another replica) with Last-Event-ID. */
  onModuleDestroy(): void {
    for (const [stream, res] of this.streams) {
      stream.close();
      res.end();
    }
    this.streams.clear();
  }
}
