import { type INestApplicationContext, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../../apps/api/app.module.js';
import { WorkerModule } from '../../apps/worker/worker.module.js';
import { type AppConfig, configureHttpApp } from '../../libs/core/src/index.js';

/** The api exactly as main.ts builds it (plus any test-only controllers), listening on a free port. */
export async function startApi(config: AppConfig, options: { extraControllers?: Type[] } = {}): Promise<NestExpressApplication> {
  @Module({ imports: [AppModule.forRoot(config)], controllers: options.extraControllers ?? [] })
  class TestApiModule {}
  const app = await NestFactory.create<NestExpressApplication>(TestApiModule, { bufferLogs: true });
  configureHttpApp(app, config);
  await app.listen(0, '127.0.0.1');
  return app;
}

/** The worker exactly as main.ts builds it. */
export async function startWorker(config: AppConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  await app.init();
  return app;
}
