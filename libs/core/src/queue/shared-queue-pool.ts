import pg from 'pg';

/** The PostgreSQL connection settings Marquee hands BullMQ as `connection`: pg pool options plus a schema. */
export interface QueueConnectionConfig extends pg.PoolConfig {
  schema: string;
}

/** What a queue backend holds while it lives: the process's pool for that database and schema. */
export interface SharedQueuePool {
  pool: pg.Pool;
  schema: string;
  /** Settings for a dedicated (non-pooled) client on the same database and schema, e.g. for LISTEN. */
  clientConfig: pg.ClientConfig;
  release(): Promise<void>;
}

interface Entry {
  pool: pg.Pool;
  clientConfig: pg.ClientConfig;
  users: number;
}

const pools = new Map<string, Entry>();

/**
 * BullMQ's PostgreSQL backend gives every Queue and Worker its own pool: with a dozen queues, each
 * with a Queue and a Worker, one process could hold a hundred connections and a few processes would
 * exhaust PostgreSQL's default `max_connections`. All queues of a process share one pool per
 * database and schema instead; it closes when the last queue using it closes.
 */
export function acquireSharedQueuePool(config: QueueConnectionConfig): SharedQueuePool {
  const { schema, ...poolConfig } = config;
  const key = `${poolConfig.connectionString ?? ''}\u0000${schema}`;
  let entry = pools.get(key);
  if (!entry) {
    const searchPath = `-c search_path="${schema.replaceAll('"', '""')}"`;
    const clientConfig: pg.ClientConfig = {
      ...poolConfig,
      options: poolConfig.options ? `${poolConfig.options} ${searchPath}` : searchPath,
      keepAlive: true,
    };
    const pool = new pg.Pool({ ...poolConfig, ...clientConfig });
    // Every backend sharing the pool adds its own error listener.
    pool.setMaxListeners(0);
    // An idle client dropped by the server (a restart, a dropped test database) must not crash the process.
    pool.on('error', () => undefined);
    entry = { pool, clientConfig, users: 0 };
    pools.set(key, entry);
  }
  entry.users += 1;
  const acquired = entry;
  let released = false;
  return {
    pool: acquired.pool,
    schema,
    clientConfig: acquired.clientConfig,
    async release() {
      if (released) return;
      released = true;
      acquired.users -= 1;
      if (acquired.users === 0 && pools.get(key) === acquired) {
        pools.delete(key);
        await acquired.pool.end().catch(() => undefined);
      }
    },
  };
}
