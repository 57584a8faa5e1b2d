import { type INestApplicationContext, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../../apps/api/app.module.js';
import { WorkerModule } from '../../apps/worker/worker.module.js';
import { runMigrations as runQueueMigrations } from 'bullmq';
import pg from 'pg';
import { type AppConfig, configureHttpApp, queueSchemaFor } from '../../libs/core/src/index.js';

const queueSchemas = new Map<string, Promise<void>>();

/** The test run migrated the default queue schema; a suite's own queue namespace is made here, once per database. */
export function ensureQueueSchema(config: AppConfig): Promise<void> {
  if (config.redisUrl) return Promise.resolve();
  const schema = queueSchemaFor(config.queuePrefix);
  const key = `${config.databaseUrl} ${schema}`;
  let ready = queueSchemas.get(key);
  if (!ready) {
    ready = (async () => {
      const client = new pg.Client({ connectionString: config.databaseUrl });
      await client.connect();
      try {
        await runQueueMigrations(client, schema);
      } finally {
        await client.end();
      }
    })();
    queueSchemas.set(key, ready);
  }
  return ready;
}

/** The api exactly as main.ts builds it (plus any test-only controllers), listening on a free port. */
export async function startApi(config: AppConfig, options: { extraControllers?: Type[] } = {}): Promise<NestExpressApplication> {
  @Module({ imports: [AppModule.forRoot(config)], controllers: options.extraControllers ?? [] })
  class TestApiModule {}
  await ensureQueueSchema(config);
  const app = await NestFactory.create<NestExpressApplication>(TestApiModule, { bufferLogs: true, abortOnError: false });
  configureHttpApp(app, config);
  await app.listen(0, '127.0.0.1');
  return app;
}

/** The worker exactly as main.ts builds it. */
export async function startWorker(config: AppConfig): Promise<INestApplicationContext> {
  await ensureQueueSchema(config);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true, abortOnError: false });
  await app.init();
  return app;
}
