import type { Server } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { API_PREFIX, DOCS_ROUTE, HEALTH_ROUTES } from '@marquee/contracts';
import type { AppConfig } from '../config/app-config.js';
import { httpLogging } from '../logging/http-logging.middleware.js';
import { PinoLoggerService } from '../logging/pino-logger.service.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { applySecurity } from './security.js';
import { serveClient } from './serve-client.js';
import { createValidationPipe } from './validation.pipe.js';

/** Everything an HTTP app needs besides its modules; shared by the api's main and the tests. */
export function configureHttpApp(app: NestExpressApplication, config: AppConfig): void {
  const logger = app.get(PinoLoggerService);
  app.useLogger(logger);
  applySecurity(app, config);
  app.use(httpLogging(logger.accessLog));
  app.disable('x-powered-by');
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: HEALTH_ROUTES.liveness, method: RequestMethod.GET },
      { path: HEALTH_ROUTES.readiness, method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  // Node ends any request not fully received within 5 minutes; a many-GiB upload takes longer. Headers
  // keep their own deadline (headersTimeout), and the upload route drops a body that stalls.
  (app.getHttpServer() as Server).requestTimeout = 0;

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Marquee API')
      .setDescription('Self-hosted media server. Errors are RFC 9457 application/problem+json.')
      .setVersion(config.version)
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup(DOCS_ROUTE, app, document, { jsonDocumentUrl: `${DOCS_ROUTE}/openapi.json` });
  serveClient(app);
}
