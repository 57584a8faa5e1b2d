import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { createPino, PinoLoggerService } from './pino-logger.service.js';

/** Structured JSON logs (pino) for the whole process; `app.useLogger()` routes Nest's logging here. */
@Global()
@Module({
  providers: [
    {
      provide: PinoLoggerService,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new PinoLoggerService(createPino(config, process.env.MARQUEE_PROCESS ?? 'app')),
    },
  ],
  exports: [PinoLoggerService],
})
export class LoggingModule {}
