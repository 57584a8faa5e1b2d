import type { QueueBackendKind } from '@marquee/contracts';
import { type ConnectionOptions, createPostgresBackend, setDefaultBackendFactory } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import pg from 'pg';
import type { AppConfig } from '../config/app-config.js';
import { acquireSharedQueuePool, type QueueConnectionConfig } from './shared-queue-pool.js';

/** The PostgreSQL schema that holds BullMQ's tables when it runs on PostgreSQL. */
export const QUEUE_SCHEMA = 'bullmq';
const DEFAULT_QUEUE_PREFIX = 'marquee';

/**
 * The PostgreSQL schema of the queues. BullMQ's PostgreSQL backend ignores key prefixes (the schema
 * is its namespace), so a non-default MARQUEE_QUEUE_PREFIX selects its own schema, as it selects its
 * own keys on Redis: installations (or parallel test runs) sharing a database stay apart.
 */
export function queueSchemaFor(prefix: string): string {
  return prefix === DEFAULT_QUEUE_PREFIX ? QUEUE_SCHEMA : `${QUEUE_SCHEMA}_${prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}

export interface QueueBackendSelection {
  kind: QueueBackendKind;
  /** Key prefix on Redis; on PostgreSQL the queues live in the database's `bullmq` schema. */
  prefix: string;
  /** Passed as `connection` to every Queue and Worker, whichever backend runs. */
  connection: ConnectionOptions;
}

export function redisOptionsFromUrl(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 6379,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    // BullMQ workers block on Redis; they need unlimited retries per request.
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 500, 5000),
  };
}

const FAILED_FETCH_PAUSE_MS = 1000;

type PostgresConnectionInternals = {
  waitUntilReady(): Promise<void>;
  readyPromise?: Promise<void>;
  close(): Promise<void>;
  schema: string;
  pgModule?: typeof pg;
  listenClientConfig?: pg.ClientConfig;
  listenClientKeepAlive: boolean;
};

function isQueueConnectionConfig(connection: unknown): connection is QueueConnectionConfig {
  return typeof connection === 'object' && connection !== null && typeof (connection as { schema?: unknown }).schema === 'string';
}

/**
 * BullMQ's PostgreSQL backend, with three changes:
 * - all queues of a process share one pool per database and schema (see acquireSharedQueuePool),
 *   while each Worker still LISTENs on its own dedicated client, outside the pool, as BullMQ does
 *   with a pool of its own;
 * - its connection remembers a failed start-up (the database unreachable at that moment, the schema
 *   not yet there) and then rejects every query at once, without I/O — a Worker retrying in that
 *   state spins forever and starves the event loop. Forgetting the failure makes the next query try
 *   again, over the network;
 * - a pause after each failed job fetch (see below).
 */
export const createRecoveringPostgresBackend: typeof createPostgresBackend = (name, opts, factoryOpts) => {
  const shared = isQueueConnectionConfig(opts.connection) ? acquireSharedQueuePool(opts.connection) : undefined;
  const listenersBefore = shared?.pool.listeners('error') ?? [];
  const backend = createPostgresBackend(
    name,
    shared ? { ...opts, connection: shared.pool as unknown as typeof opts.connection } : opts,
    factoryOpts,
  );
  // A Worker fetches its next job in a loop that retries at once when the fetch fails without I/O
  // (a pool ended under it, say): a pause after each failed fetch keeps that loop off the CPU.
  const moveToActive = backend.moveToActive.bind(backend);
  backend.moveToActive = async (...args: Parameters<typeof moveToActive>) => {
    try {
      return await moveToActive(...args);
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, FAILED_FETCH_PAUSE_MS));
      throw error;
    }
  };
  const connection = (backend as unknown as { connection: PostgresConnectionInternals }).connection;
  const waitUntilReady = connection.waitUntilReady.bind(connection);
  connection.waitUntilReady = () => {
    const ready = waitUntilReady();
    const attempt = connection.readyPromise;
    attempt?.catch(() => {
      if (connection.readyPromise === attempt) connection.readyPromise = undefined;
    });
    return ready;
  };
  if (shared) {
    // Given a pool, BullMQ assumes its default schema and LISTENs on a pooled client; ours is in the
    // pool's search_path, and a dedicated LISTEN client keeps long waits from holding pool slots.
    connection.schema = shared.schema;
    (backend as unknown as { schema: string }).schema = shared.schema;
    connection.pgModule = pg;
    connection.listenClientConfig = shared.clientConfig;
    connection.listenClientKeepAlive = true;
    const added = shared.pool.listeners('error').filter((listener) => !listenersBefore.includes(listener));
    const close = connection.close.bind(connection);
    connection.close = async () => {
      try {
        await close();
      } finally {
        for (const listener of added) shared.pool.removeListener('error', listener as (...args: unknown[]) => void);
        await shared.release();
      }
    };
  }
  return backend;
};

/**
 * The one place that decides where BullMQ keeps its queues: Redis when REDIS_URL is set, otherwise
 * BullMQ's PostgreSQL backend in Marquee's own database. It sets BullMQ's process-wide default
 * backend, so every Queue and Worker built afterwards (ours or @nestjs/bullmq's) uses it.
 */
export function selectQueueBackend(config: Pick<AppConfig, 'redisUrl' | 'databaseUrl' | 'queuePrefix'>): QueueBackendSelection {
  if (config.redisUrl) {
    setDefaultBackendFactory();
    return { kind: 'redis', prefix: config.queuePrefix, connection: redisOptionsFromUrl(config.redisUrl) as ConnectionOptions };
  }
  setDefaultBackendFactory(createRecoveringPostgresBackend);
  return {
    kind: 'postgres',
    prefix: config.queuePrefix,
    connection: {
      connectionString: config.databaseUrl,
      schema: queueSchemaFor(config.queuePrefix),
      // One pool per process, shared by every queue (see acquireSharedQueuePool); each Worker
      // also holds one dedicated LISTEN connection.
      max: 10,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: 5000,
      application_name: 'marquee-queue',
    } as unknown as ConnectionOptions,
  };
}
