import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit, migrateDatabase } from '@marquee/core';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module.js';

async function bootstrap(): Promise<void> {
  process.env.MARQUEE_PROCESS = 'worker';
  const config = loadConfigOrExit({ requireDatabaseUrl: true }, 'worker');
  await migrateDatabase(config.databaseUrl, { queueSchema: config.queueBackend === 'postgres' });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  app.get(Logger).log(`worker ready (queue backend: ${config.queueBackend})`);
}

bootstrap().catch((error: Error) => {
  process.stderr.write(`marquee worker: failed to start: ${error.message}\n`);
  process.exit(1);
});
