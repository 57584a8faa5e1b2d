import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { startApi } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';

/** Routes anyone may call. Everything else must answer 401 to a caller without credentials. */
const PUBLIC_ROUTES = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /api/v1/auth/registration',
  'POST /api/v1/auth/register',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
]);
const PUBLIC_PREFIXES = ['/api/docs'];
/** Areas only administrators may use (the design's admin routes). */
const ADMIN_PREFIXES = [
  '/api/v1/users',
  '/api/v1/settings',
  '/api/v1/system',
  '/api/v1/jobs',
  '/api/v1/queues',
  '/api/v1/plugins',
  '/api/v1/events',
  '/api/v1/libraries',
];
/** Single admin routes inside areas every user reads: editing the shared catalogue. */
const ADMIN_ROUTES = new Set([
  'GET /api/v1/items/:id/artwork-candidates',
  'PATCH /api/v1/items/:id',
  'PUT /api/v1/items/:id/artwork/:kind',
  'DELETE /api/v1/items/:id/artwork/:kind',
  'POST /api/v1/items/:id/identify',
  'POST /api/v1/items/:id/apply-scrape',
]);
/** Routes that answer with an endless stream once admitted: checked by status line only. */
const STREAMING_ROUTES = new Set(['GET /api/v1/events']);

const STANDARD_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

interface RouteEntry {
  method: string;
  path: string;
}

function registeredRoutes(app: NestExpressApplication): RouteEntry[] {
  const express = app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  return (
    express.router.stack
      .filter((layer) => layer.route)
      // Nest answers the excluded-from-prefix paths (healthz, readyz, metrics) with an all-methods
      // fallback layer; the real handlers are registered separately.
      .filter((layer) => Object.keys(layer.route!.methods).length <= 2)
      .flatMap((layer) =>
        Object.keys(layer.route!.methods)
          .filter((m) => STANDARD_METHODS.includes(m))
          .map((method) => ({ method: method.toUpperCase(), path: layer.route!.path })),
      )
  );
}

const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, () => randomUUID());
const isPublic = (r: RouteEntry) => PUBLIC_ROUTES.has(`${r.method} ${r.path}`) || PUBLIC_PREFIXES.some((p) => r.path.startsWith(p));
const isAdmin = (r: RouteEntry) =>
  ADMIN_ROUTES.has(`${r.method} ${r.path}`) || ADMIN_PREFIXES.some((p) => r.path === p || r.path.startsWith(`${p}/`));

describe('route table: every route needs auth unless public, and admin routes refuse users', () => {
  let api: NestExpressApplication;
  let routes: RouteEntry[];
  let accounts: { admin: TestAccount; user: TestAccount };

  beforeAll(async () => {
    api = await startApi(testConfig());
    // Logging out ends the caller's session, so it goes last.
    routes = registeredRoutes(api).sort((a, b) => Number(a.path.endsWith('/logout')) - Number(b.path.endsWith('/logout')));
    accounts = await seedAccounts(api);
  });
  afterAll(() => api?.close());

  const call = async (r: RouteEntry, headers: Record<string, string> = {}): Promise<{ status: number }> => {
    if (STREAMING_ROUTES.has(`${r.method} ${r.path}`)) return { status: await streamStatus(r.path, headers) };
    const agent = request(api.getHttpServer());
    const method = r.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head';
    return agent[method](concrete(r.path))
      .set(headers)
      .send(method === 'get' || method === 'head' ? undefined : {});
  };

  /** The status of a streaming response, read from its head; the stream is then closed. */
  const streamStatus = (path: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const { port } = api.getHttpServer().address() as { port: number };
      const req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
        resolve(res.statusCode ?? 0);
        res.destroy();
      });
      req.on('error', reject);
    });

  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(15);
    expect(routes).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/api/v1/auth/me' },
        { method: 'GET', path: '/api/v1/users' },
      ]),
    );
  });

  it('only the public allowlist answers without credentials', async () => {
    const open: string[] = [];
    for (const route of routes.filter((r) => !isPublic(r))) {
      const res = await call(route);
      if (res.status !== 401) open.push(`${route.method} ${route.path} → ${res.status}`);
    }
    expect(open).toEqual([]);
  });

  it('junk credentials are 401 everywhere that is not public', async () => {
    const open: string[] = [];
    for (const route of routes.filter((r) => !isPublic(r))) {
      const junk: Record<string, string>[] = [
        { Authorization: 'Bearer not.a.token' },
        { 'X-Api-Key': 'mq_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' },
      ];
      for (const headers of junk) {
        const res = await call(route, headers);
        if (res.status !== 401) open.push(`${route.method} ${route.path} ${Object.keys(headers)[0]} → ${res.status}`);
      }
    }
    expect(open).toEqual([]);
  });

  it('every admin route answers 403 to a user, and no other route does', async () => {
    const adminRoutes = routes.filter(isAdmin);
    expect(adminRoutes.length).toBeGreaterThan(5);
    const wrong: string[] = [];
    for (const route of routes.filter((r) => !isPublic(r))) {
      const res = await call(route, bearer(accounts.user));
      const refused = res.status === 403;
      if (refused !== isAdmin(route)) wrong.push(`${route.method} ${route.path} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('admins pass the guard on admin routes', async () => {
    const refused: string[] = [];
    for (const route of routes.filter(isAdmin)) {
      const res = await call(route, bearer(accounts.admin));
      if (res.status === 401 || res.status === 403) refused.push(`${route.method} ${route.path} → ${res.status}`);
    }
    expect(refused).toEqual([]);
  });
});
