import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppConfig, loadConfig } from '../../libs/core/src/index.js';
import { probeBwrap } from '../../libs/plugins/src/runtime/bwrap-probe.js';
import { testDatabaseUrl } from './test-database.js';

// Plugins run in the bubblewrap sandbox (`auto`); on a machine where it does not work they run
// unsandboxed so the other plugin tests still pass (the sandbox's own tests skip). CI always sandboxes.
const PLUGIN_SANDBOX = (await probeBwrap()).usable || process.env.CI ? 'auto' : 'none';

export type QueueBackendUnderTest = 'postgres' | 'redis';

/** Backends these tests can reach: PostgreSQL always, Redis when REDIS_URL was set for the run. */
export function availableQueueBackends(): QueueBackendUnderTest[] {
  return process.env.TEST_REDIS_URL ? ['postgres', 'redis'] : ['postgres'];
}

/** A validated AppConfig pointing at this Jest worker's test database, a fresh data dir and the chosen queue backend. */
export function testConfig(options: { queueBackend?: QueueBackendUnderTest; env?: Record<string, string> } = {}): AppConfig {
  const dataDir = mkdtempSync(join(tmpdir(), 'marquee-test-data-'));
  const databaseUrl = testDatabaseUrl();
  const redisUrl = options.queueBackend === 'redis' ? process.env.TEST_REDIS_URL : undefined;
  if (options.queueBackend === 'redis' && !redisUrl) throw new Error('Redis backend requested but REDIS_URL is not set');
  return loadConfig(
    {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      // Jest runs suites in parallel processes, each on a database of its own but all on one Redis:
      // each process also gets its own queue namespace (Redis keys, or a PostgreSQL schema), shared by
      // the api replicas and workers a suite starts, so one suite's workers never take another's jobs.
      MARQUEE_QUEUE_PREFIX: `test-${process.pid}`,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      MARQUEE_DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
      MARQUEE_MIN_FREE_DISK_MB: '1',
      MARQUEE_PLUGIN_SANDBOX: PLUGIN_SANDBOX,
      ...options.env,
    },
    { requireDatabaseUrl: true },
  );
}
