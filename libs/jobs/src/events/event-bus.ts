import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig, redisOptionsFromUrl } from '@marquee/core';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DataSource } from 'typeorm';

/** The PostgreSQL NOTIFY channel that carries new `job_events` ids when Redis is not configured. */
export const JOB_EVENTS_CHANNEL = 'marquee_job_events';
/** The Redis pub/sub channel that carries new `job_events` ids when REDIS_URL is set. */
export const JOB_EVENTS_REDIS_CHANNEL = 'marquee:job-events';

/**
 * Called with the id of a new `job_events` row — or with '' after the subscription was (re)established,
 * when notifications may have been missed: listeners then catch up from the table.
 */
export type JobEventListener = (id: string) => void;

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/**
 * Wakes every api replica when a dashboard event is recorded: through Redis pub/sub when REDIS_URL is
 * set, otherwise PostgreSQL LISTEN/NOTIFY. Only the event id travels; `job_events` holds the event,
 * so a missed notification costs latency (the next one, or a reconnect, catches up), never an event.
 * Connections are opened lazily: publishers (the worker too) never open a subscriber connection.
 */
@Injectable()
export class JobEventBus implements OnModuleDestroy {
  private readonly logger = new Logger(JobEventBus.name);
  private readonly listeners = new Set<JobEventListener>();
  private publisher?: Redis;
  private subscriber?: Redis;
  private pgListener?: pg.Client;
  private listening = false;
  private closed = false;
  private reconnectTimer?: NodeJS.Timeout;
  private failures = 0;
  private notifyFailing = false;
  private subscriberDown = false;

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** How many listeners are registered (for tests and diagnostics). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Tells every replica's listeners about a new event. Never throws: the row is already stored. */
  async notify(id: string): Promise<void> {
    try {
      if (this.config.redisUrl) await this.redisPublisher().publish(JOB_EVENTS_REDIS_CHANNEL, id);
      else await this.dataSource.query('SELECT pg_notify($1, $2)', [JOB_EVENTS_CHANNEL, id]);
      if (this.notifyFailing) {
        this.notifyFailing = false;
        this.logger.log('Job event notifications are delivered again');
      }
    } catch (error) {
      if (!this.notifyFailing) {
        this.notifyFailing = true;
        this.logger.warn(`Could not notify listeners of job event ${id} (they catch up on the next one): ${(error as Error).message}`);
      }
    }
  }

  /** Registers a listener (starting the subscription on the first one); returns its unsubscribe. */
  onEvent(listener: JobEventListener): () => void {
    const entry: JobEventListener = (id) => listener(id);
    this.listeners.add(entry);
    if (!this.listening && !this.closed) {
      this.listening = true;
      if (this.config.redisUrl) this.startRedisSubscriber();
      else void this.connectPgListener();
    }
    return () => {
      this.listeners.delete(entry);
    };
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.listeners.clear();
    const pgListener = this.pgListener;
    this.pgListener = undefined;
    await pgListener?.end().catch(() => undefined);
    this.subscriber?.disconnect();
    const publisher = this.publisher;
    this.publisher = undefined;
    await publisher?.quit().catch(() => publisher.disconnect());
  }

  private dispatch(id: string): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(id);
      } catch (error) {
        this.logger.error(`A job event listener failed: ${(error as Error).message}`);
      }
    }
  }

  private redisPublisher(): Redis {
    if (!this.publisher) {
      // Fail fast when Redis is away: a notification must never hold up the ledger.
      this.publisher = new Redis({ ...redisOptionsFromUrl(this.config.redisUrl!), maxRetriesPerRequest: 1, connectTimeout: 2000 });
      this.publisher.on('error', () => undefined);
    }
    return this.publisher;
  }

  /** ioredis reconnects (with the backoff of redisOptionsFromUrl) and re-subscribes on its own. */
  private startRedisSubscriber(): void {
    const subscriber = new Redis({ ...redisOptionsFromUrl(this.config.redisUrl!), connectionName: 'marquee-job-events' });
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === JOB_EVENTS_REDIS_CHANNEL) this.dispatch(message);
    });
    subscriber.on('error', (error: Error) => {
      if (this.subscriberDown || this.closed) return;
      this.subscriberDown = true;
      this.logger.warn(`Job event subscription to Redis lost, reconnecting: ${error.message}`);
    });
    subscriber.on('ready', () => {
      if (!this.subscriberDown) return;
      this.subscriberDown = false;
      this.logger.log('Job event subscription to Redis restored');
      this.dispatch('');
    });
    subscriber.subscribe(JOB_EVENTS_REDIS_CHANNEL).then(
      () => this.dispatch(''),
      (error: Error) => {
        if (!this.closed) this.logger.error(`Could not subscribe to job events in Redis: ${error.message}`);
      },
    );
  }

  private async connectPgListener(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.config.databaseUrl, application_name: 'marquee-job-events', keepAlive: true });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.pgListener === client) this.pgListener = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      this.scheduleReconnect(error ?? new Error('connection ended'));
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === JOB_EVENTS_CHANNEL) this.dispatch(message.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(JOB_EVENTS_CHANNEL)}`);
    } catch (error) {
      onLost(error as Error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.pgListener = client;
    if (this.failures > 0) this.logger.log('Job event LISTEN connection to PostgreSQL restored');
    this.failures = 0;
    this.dispatch('');
  }

  private scheduleReconnect(error: Error): void {
    if (this.closed) return;
    if (this.failures === 0) this.logger.warn(`Job event LISTEN connection to PostgreSQL lost, reconnecting: ${error.message}`);
    const delay = Math.min(RECONNECT_MIN_MS * 2 ** this.failures, RECONNECT_MAX_MS);
    this.failures++;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connectPgListener(), delay);
    this.reconnectTimer.unref();
  }
}
