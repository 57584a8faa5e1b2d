import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit, migrateDatabase, PinoLoggerService } from '@marquee/core';
import { WorkerModule } from './worker.module.js';

async function bootstrap(): Promise<void> {
  process.env.MARQUEE_PROCESS = 'worker';
  const config = loadConfigOrExit({ requireDatabaseUrl: true }, 'worker');
  await migrateDatabase(config.databaseUrl, { queueSchema: config.queueBackend === 'postgres', queuePrefix: config.queuePrefix });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  const logger = app.get(PinoLoggerService);
  app.useLogger(logger);
  app.enableShutdownHooks();
  // Running jobs get the shutdown grace (see WorkerShutdown); one that ignores its interruption must
  // not keep a stopped worker alive.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), (config.shutdownGraceSeconds + 30) * 1000).unref());
  }
  await app.init();
  logger.log(`worker ready (queue backend: ${config.queueBackend})`);
}

bootstrap().catch((error: Error) => {
  process.stderr.write(`marquee worker: failed to start: ${error.message}\n`);
  process.exit(1);
});
