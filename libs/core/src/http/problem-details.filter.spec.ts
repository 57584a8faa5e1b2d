import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, Get, HttpException, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min, MinLength, ValidateNested } from 'class-validator';
import request from 'supertest';
import { ConfigModule } from '../config/config.module.js';
import { loadConfig } from '../config/load-config.js';
import { LoggingModule } from '../logging/logging.module.js';
import { configureHttpApp } from './configure-http-app.js';

class Owner {
  @IsString()
  @MinLength(2)
  name: string;
}

class CreateThing {
  @IsString()
  title: string;

  @IsInt()
  @Min(1900)
  @Max(2100)
  year: number;

  @ValidateNested()
  @Type(() => Owner)
  owner: Owner;
}

@Controller('things')
class ThingsController {
  @Post()
  create(@Body() body: CreateThing) {
    return { created: body.title };
  }

  @Get('boom')
  boom(): never {
    throw new Error('secret internal detail: password=hunter2');
  }

  @Get('teapot')
  teapot(): never {
    throw new HttpException('I refuse to brew coffee', 418);
  }
}

describe('errors are RFC 9457 problem+json', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    const config = loadConfig(
      {
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://localhost/x',
        MARQUEE_DATA_DIR: mkdtempSync(join(tmpdir(), 'marquee-')),
        LOG_LEVEL: 'silent',
      },
      { requireDatabaseUrl: true },
    );
    @Module({ imports: [ConfigModule.forRoot(config), LoggingModule], controllers: [ThingsController] })
    class TestModule {}
    app = await NestFactory.create<NestExpressApplication>(TestModule, { logger: false });
    configureHttpApp(app, config);
    await app.init();
  });

  afterAll(() => app.close());

  const expectProblem = (res: request.Response, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: expect.stringMatching(/^urn:marquee:problem:/),
      title: expect.any(String),
      status,
      detail: expect.any(String),
    });
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  };

  it('unknown routes are 404 problems', async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/no/such/route?x=1');
    expectProblem(res, 404);
    expect(res.body).toMatchObject({
      title: 'Not Found',
      detail: 'No route for GET /api/v1/no/such/route',
      instance: '/api/v1/no/such/route',
    });
  });

  it('validation errors list every invalid field, nested ones included', async () => {
    const res = await request(app.getHttpServer())
      .post('/api/v1/things')
      .send({ year: 1800, owner: { name: 'x' }, extra: true });
    expectProblem(res, 400);
    expect(res.body.type).toBe('urn:marquee:problem:validation');
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
    expect(new Set(fields)).toEqual(new Set(['title', 'year', 'owner.name', 'extra']));
    expect(res.body.detail).toMatch(/^Invalid request: /);
  });

  it('a valid body passes', async () => {
    await request(app.getHttpServer())
      .post('/api/v1/things')
      .send({ title: 'Alien', year: 1979, owner: { name: 'Ripley' } })
      .expect(201, { created: 'Alien' });
  });

  it('malformed JSON is a 400 problem, not a 500', async () => {
    const res = await request(app.getHttpServer()).post('/api/v1/things').set('Content-Type', 'application/json').send('{"title": ');
    expectProblem(res, 400);
    expect(res.body.detail).toBe('The request body is not valid JSON (Unexpected end of JSON input)');
  });

  it('HTTP exceptions keep their status and message', async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/things/teapot');
    expectProblem(res, 418);
    expect(res.body.detail).toBe('I refuse to brew coffee');
  });

  it('unexpected errors are 500s that leak neither message nor stack', async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/things/boom').set('X-Request-Id', 'req-123');
    expectProblem(res, 500);
    expect(res.body.detail).toBe('An unexpected error occurred; quote request id req-123 when reporting it');
    expect(res.text).not.toMatch(/hunter2|secret internal|at .*\.ts/);
    expect(res.body.stack).toBeUndefined();
  });

  it('a malformed X-Request-Id is replaced, not echoed', async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/nothing').set('X-Request-Id', '<script>');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
