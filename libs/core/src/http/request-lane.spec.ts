import { mkdtempSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { Controller, Get, Module, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Response } from 'express';
import request from 'supertest';
import { AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { loadConfig } from '../config/load-config.js';
import { createPino, PinoLoggerService } from '../logging/pino-logger.service.js';
import { configureHttpApp } from './configure-http-app.js';
import { type ExpressLike, installRequestLane, type RequestLane } from './request-lane.js';

/** The same answer twice: from Express (`/api/v1/hello`) and from the lane (`/api/v1/hello?lane`). */
@Controller('hello')
class HelloController {
  @Get()
  hello(@Res() res: Response) {
    res.setHeader('Content-Type', 'text/plain');
    res.end('hello');
  }
}

class HelloLane implements RequestLane {
  readonly answered: string[] = [];

  async handle(req: IncomingMessage, res: ServerResponse, prepare: () => void): Promise<boolean> {
    await Promise.resolve();
    if (!req.url?.endsWith('?lane')) return false;
    if (req.url.startsWith('/api/v1/fail')) throw new Error('declined by failing');
    prepare();
    res.setHeader('Content-Type', 'text/plain');
    res.end('hello');
    this.answered.push(req.url);
    return true;
  }
}

/** Every line the app logs, as JSON objects. */
const logged: Record<string, unknown>[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) if (line) logged.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

async function createApp(env: Record<string, string>, lane: RequestLane): Promise<NestExpressApplication> {
  const config = loadConfig(
    {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://localhost/x',
      MARQUEE_DATA_DIR: mkdtempSync(join(tmpdir(), 'marquee-')),
      LOG_LEVEL: 'silent',
      ...env,
    },
    { requireDatabaseUrl: true },
  );
  @Module({
    imports: [ConfigModule.forRoot(config)],
    controllers: [HelloController],
    providers: [{ provide: PinoLoggerService, useValue: new PinoLoggerService(createPino(config, 'test', logSink)) }],
  })
  class TestModule {}
  const app = await NestFactory.create<NestExpressApplication>(TestModule, { logger: false });
  configureHttpApp(app, config);
  installRequestLane(
    app.getHttpServer(),
    app.getHttpAdapter().getInstance() as ExpressLike,
    app.get(AppConfig),
    app.get(PinoLoggerService).accessLog,
    lane,
  );
  await app.init();
  return app;
}

/** The headers that say what a response is, not when or for which request it was made. */
const essence = (res: request.Response) => {
  const { date: _date, 'x-request-id': requestId, connection: _connection, 'keep-alive': _keepAlive, ...headers } = res.headers;
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  return { status: res.status, headers, body: res.text };
};

async function waitForLine(requestId: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const line = logged.find((entry) => entry.requestId === requestId && entry.msg === 'request completed');
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no access-log line names ${requestId}`);
}

describe('installRequestLane', () => {
  it('a lane answer carries the very headers an Express answer does: security headers, HSTS behind a trusted TLS proxy, Vary with CORS on', async () => {
    const lane = new HelloLane();
    const app = await createApp({ MARQUEE_TRUSTED_PROXIES: '127.0.0.1', MARQUEE_CORS_ORIGINS: 'https://player.example' }, lane);
    try {
      const server = app.getHttpServer();
      for (const headers of [{}, { 'X-Forwarded-Proto': 'https' }]) {
        const viaExpress = await request(server).get('/api/v1/hello').set(headers);
        const viaLane = await request(server).get('/api/v1/hello?lane').set(headers);
        expect(essence(viaLane)).toEqual(essence(viaExpress));
      }
      expect(
        (await request(server).get('/api/v1/hello?lane').set('X-Forwarded-Proto', 'https')).headers['strict-transport-security'],
      ).toMatch(/^max-age=/);
      expect((await request(server).get('/api/v1/hello?lane')).headers.vary).toBe('Origin');
      expect(lane.answered).toHaveLength(4);

      // A cross-origin request is the cors middleware's: Express answers it, with the CORS headers.
      const crossOrigin = await request(server).get('/api/v1/hello?lane').set('Origin', 'https://player.example');
      expect(crossOrigin.headers['access-control-allow-origin']).toBe('https://player.example');
      expect(lane.answered).toHaveLength(4);
    } finally {
      await app.close();
    }
  });

  it('a lane answer has its access-log line with its request id, as an Express answer does', async () => {
    const app = await createApp({ LOG_LEVEL: 'info' }, new HelloLane());
    try {
      const server = app.getHttpServer();
      for (const url of ['/api/v1/hello', '/api/v1/hello?lane']) {
        const res = await request(server)
          .get(url)
          .set('X-Request-Id', `id-of-${url.endsWith('lane') ? 'lane' : 'express'}`);
        const line = await waitForLine(res.headers['x-request-id'] as string);
        expect(line).toMatchObject({ msg: 'request completed', req: { method: 'GET', url: '/api/v1/hello' }, res: { statusCode: 200 } });
      }
    } finally {
      await app.close();
    }
  });

  it('a request the lane declines, or fails on before answering, is answered by Express as usual', async () => {
    const lane = new HelloLane();
    const app = await createApp({}, lane);
    try {
      const server = app.getHttpServer();
      expect((await request(server).get('/api/v1/hello')).text).toBe('hello');
      const failed = await request(server).get('/api/v1/fail?lane');
      expect(failed.status).toBe(404);
      expect(failed.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(lane.answered).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('goes ahead of Express only: a server with other request listeners is refused', async () => {
    const app = await createApp({}, new HelloLane());
    try {
      expect(() =>
        installRequestLane(
          app.getHttpServer(),
          app.getHttpAdapter().getInstance() as ExpressLike,
          app.get(AppConfig),
          app.get(PinoLoggerService).accessLog,
          new HelloLane(),
        ),
      ).toThrow(/ahead of Express/);
    } finally {
      await app.close();
    }
  });
});
