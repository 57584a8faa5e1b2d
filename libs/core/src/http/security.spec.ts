import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request } from 'express';
import request from 'supertest';
import { ConfigModule } from '../config/config.module.js';
import { loadConfig } from '../config/load-config.js';
import { LoggingModule } from '../logging/logging.module.js';
import { configureHttpApp } from './configure-http-app.js';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS } from './security.js';
import { clientDir } from './serve-client.js';

@Controller('things')
class ThingsController {
  @Get('ip')
  ip(@Req() req: Request) {
    return { ip: req.ip, secure: req.secure, cookies: req.cookies as Record<string, string> };
  }
}

async function createApp(env: Record<string, string> = {}): Promise<NestExpressApplication> {
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
  @Module({ imports: [ConfigModule.forRoot(config), LoggingModule], controllers: [ThingsController] })
  class TestModule {}
  const app = await NestFactory.create<NestExpressApplication>(TestModule, { logger: false });
  configureHttpApp(app, config);
  await app.init();
  return app;
}

/** Parses a CSP header into directive -> sources. */
function csp(res: request.Response): Map<string, string[]> {
  const header = res.headers['content-security-policy'] as string | undefined;
  expect(header).toBeDefined();
  return new Map(
    header!
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0] !== '')
      .map(([name, ...sources]) => [name, sources]),
  );
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

function expectSecurityHeaders(res: request.Response) {
  expect(csp(res)).toEqual(
    new Map([
      ['default-src', ["'self'"]],
      ['script-src', ["'self'"]],
      ['script-src-attr', ["'unsafe-hashes'", sha256("this.media='all'")]],
      ['style-src', ["'self'", "'unsafe-inline'"]],
      ['img-src', ["'self'", 'data:', 'blob:']],
      ['media-src', ["'self'", 'blob:']],
      ['connect-src', ["'self'"]],
      ['font-src', ["'self'", 'data:']],
      ['object-src', ["'none'"]],
      ['base-uri', ["'self'"]],
      ['form-action', ["'self'"]],
      ['frame-ancestors', ["'none'"]],
    ]),
  );
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(res.headers['x-powered-by']).toBeUndefined();
}

describe('security middleware with the default config', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createApp();
  });
  afterAll(() => app.close());

  it('sets the security headers on a normal response', async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/things/ip').expect(200);
    expectSecurityHeaders(res);
  });

  it('sets the security headers on a 404 problem response', async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/no/such/route').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expectSecurityHeaders(res);
  });

  it('sends no HSTS over plain http', async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/things/ip').expect(200);
    expect(res.body.secure).toBe(false);
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('ignores X-Forwarded-Proto and X-Forwarded-For when no proxy is trusted', async () => {
    const res = await request(app.getHttpServer())
      .get('/api/v1/things/ip')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-For', '203.0.113.9')
      .expect(200);
    expect(res.body.secure).toBe(false);
    expect(res.body.ip).not.toBe('203.0.113.9');
    expect(res.body.ip).toMatch(/127\.0\.0\.1|::1/);
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('parses cookies', async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/things/ip').set('Cookie', 'refresh=abc; other=1').expect(200);
    expect(res.body.cookies).toEqual({ refresh: 'abc', other: '1' });
  });

  it('keeps CORS closed: no ACAO for any origin, preflights included', async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/things/ip').set('Origin', 'https://evil.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    const preflight = await request(app.getHttpServer())
      .options('/api/v1/things/ip')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'GET');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves Swagger UI at /api/docs under the same CSP, with only same-origin scripts', async () => {
    const res = await request(app.getHttpServer()).get('/api/docs').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expectSecurityHeaders(res);
    // script-src 'self' admits Swagger UI because its page has no inline script...
    const scripts = [...res.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc=/);
      expect(body.trim()).toBe('');
    }
    expect(res.text).not.toMatch(/\son[a-z]+\s*=/i);
    // ...and every script it loads is same-origin JavaScript (nosniff rejects any other type).
    const base = new URL('/api/docs/', 'http://localhost');
    for (const [, attrs] of scripts) {
      const src = /\bsrc=["']([^"']+)["']/.exec(attrs)![1];
      const url = new URL(src, base);
      expect(url.origin).toBe(base.origin);
      const asset = await request(app.getHttpServer()).get(url.pathname).expect(200);
      expect(asset.headers['content-type']).toMatch(/javascript/);
    }
    expect(res.text).toMatch(/swagger-ui-init\.js/);
  });

  const clientBuilt = existsSync(join(clientDir(), 'index.html'));
  // Skipped only when the client is not built (npm test builds it first).
  (clientBuilt ? it : it.skip)(
    `allows the built Angular client's inline event handlers and no inline scripts${clientBuilt ? '' : ' (skipped: the client is not built; npm test builds it)'}`,
    () => {
      const html = readFileSync(join(clientDir(), 'index.html'), 'utf8');
      for (const [, attrs, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
        expect(attrs).toMatch(/\bsrc=/);
        expect(body.trim()).toBe('');
      }
      const handlers = [...html.matchAll(/\son[a-z]+="([^"]*)"/gi)].map(([, code]) => sha256(code));
      expect(["'unsafe-hashes'", sha256("this.media='all'")]).toEqual(expect.arrayContaining(handlers));
    },
  );
});

describe('security middleware behind a trusted proxy', () => {
  it('sends HSTS when X-Forwarded-Proto: https comes from a trusted proxy (127.0.0.1)', async () => {
    const app = await createApp({ MARQUEE_TRUSTED_PROXIES: '127.0.0.1' });
    try {
      const res = await request(app.getHttpServer()).get('/api/v1/things/ip').set('X-Forwarded-Proto', 'https').expect(200);
      expect(res.body.secure).toBe(true);
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      const plain = await request(app.getHttpServer()).get('/api/v1/things/ip').expect(200);
      expect(plain.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it('believes X-Forwarded-For only when loopback is trusted', async () => {
    const app = await createApp({ MARQUEE_TRUSTED_PROXIES: 'loopback' });
    try {
      const res = await request(app.getHttpServer()).get('/api/v1/things/ip').set('X-Forwarded-For', '203.0.113.9').expect(200);
      expect(res.body.ip).toBe('203.0.113.9');
      const https = await request(app.getHttpServer()).get('/api/v1/things/ip').set('X-Forwarded-Proto', 'https').expect(200);
      expect(https.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    } finally {
      await app.close();
    }
  });

  it('does not believe a proxy that is not the peer', async () => {
    const app = await createApp({ MARQUEE_TRUSTED_PROXIES: '10.0.0.1' });
    try {
      const res = await request(app.getHttpServer())
        .get('/api/v1/things/ip')
        .set('X-Forwarded-For', '203.0.113.9')
        .set('X-Forwarded-Proto', 'https')
        .expect(200);
      expect(res.body.ip).not.toBe('203.0.113.9');
      expect(res.body.secure).toBe(false);
      expect(res.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe('CORS with an allowlist', () => {
  const allowed = 'https://media.example.org';
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createApp({ MARQUEE_CORS_ORIGINS: `${allowed}, http://localhost:4200` });
  });
  afterAll(() => app.close());

  const lower = (headers: string[]) => headers.map((h) => h.toLowerCase());
  const list = (value: unknown) =>
    String(value)
      .split(',')
      .map((v) => v.trim().toLowerCase());

  it('gives an allowlisted origin its exact origin back, with credentials and exposed headers', async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/things/ip').set('Origin', allowed).expect(200);
    expect(res.headers['access-control-allow-origin']).toBe(allowed);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(list(res.headers['access-control-expose-headers'])).toEqual(expect.arrayContaining(lower(CORS_EXPOSED_HEADERS)));
    expect(list(res.headers['vary'])).toContain('origin');
    expectSecurityHeaders(res);
  });

  it('gives no ACAO to another origin, and serves the request normally', async () => {
    for (const origin of ['https://evil.example', 'https://media.example.org.evil.example', 'null', `${allowed}/`]) {
      const res = await request(app.getHttpServer()).get('/api/v1/things/ip').set('Origin', origin).expect(200);
      expect(res.body.secure).toBe(false);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(list(res.headers['vary'])).toContain('origin');
    }
  });

  it('answers a preflight from an allowlisted origin with 204 and the allowed headers', async () => {
    const res = await request(app.getHttpServer())
      .options('/api/v1/things/ip')
      .set('Origin', allowed)
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'Authorization, Range')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe(allowed);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(list(res.headers['access-control-allow-headers'])).toEqual(expect.arrayContaining(lower(CORS_ALLOWED_HEADERS)));
    expect(list(res.headers['access-control-allow-methods'])).toEqual(expect.arrayContaining(['get', 'post', 'delete']));
    expect(res.headers['access-control-max-age']).toBe('600');
  });

  it('gives a preflight from another origin no ACAO', async () => {
    const res = await request(app.getHttpServer())
      .options('/api/v1/things/ip')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'DELETE')
      .set('Access-Control-Request-Headers', 'Authorization');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers['access-control-allow-headers']).toBeUndefined();
  });
});
