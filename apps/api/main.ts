import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttpApp, loadConfigOrExit, migrateDatabase } from '@marquee/core';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  process.env.MARQUEE_PROCESS = 'api';
  const config = loadConfigOrExit({ requireDatabaseUrl: true }, 'api');
  await migrateDatabase(config.databaseUrl, { queueSchema: config.queueBackend === 'postgres', queuePrefix: config.queuePrefix });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true });
  configureHttpApp(app, config);
  await app.listen(config.port, config.host);
}

bootstrap().catch((error: Error) => {
  process.stderr.write(`marquee api: failed to start: ${error.message}\n`);
  process.exit(1);
});
