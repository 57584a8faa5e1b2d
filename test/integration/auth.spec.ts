import { createHmac } from 'node:crypto';
import { Controller, Get, Param } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import request from 'supertest';
import { StreamRoute, StreamTokenService } from '../../libs/auth/src/index.js';
import type { AppConfig } from '../../libs/core/src/index.js';
import { bearer, createAccount, type TestAccount } from '../helpers/accounts.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';

const STRONG = 'a long and unusual passphrase';

/** Only for this test: a streaming-style route, the way the streaming issue will declare its own. */
@Controller('test-stream')
class TestStreamController {
  @StreamRoute()
  @Get(':itemId')
  stream(@Param('itemId') itemId: string) {
    return { itemId };
  }
}

describe('auth', () => {
  let db: ScratchDatabase;
  let config: AppConfig;
  let api: NestExpressApplication;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    db = await createScratchDatabase();
    config = testConfig({ env: { DATABASE_URL: db.url, MARQUEE_TRUSTED_PROXIES: 'loopback' } });
    api = await startApi(config, { extraControllers: [TestStreamController] });
    http = request(api.getHttpServer());
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  // Each test signs in from its own address (through the trusted loopback proxy), so the per-IP
  // sign-in limit only meets the test that is about it.
  let ipCounter = 1;
  const freshIp = () => `198.51.100.${ipCounter++}`;
  const login = (username: string, password: string, ip = freshIp()) =>
    http.post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ username, password });

  describe('accounts', () => {
    it('the first account becomes admin; afterwards registration is closed until an admin opens it', async () => {
      // Anyone may ask (the client's first-start screen does), without credentials.
      const state = () =>
        http
          .get('/api/v1/auth/registration')
          .expect(200)
          .then((res) => res.body);
      expect(await state()).toEqual({ firstAccount: true, open: true });
      const first = await http.post('/api/v1/auth/register').send({ username: 'Ripley', password: STRONG }).expect(201);
      expect(await state()).toEqual({ firstAccount: false, open: false });
      expect(first.body).toMatchObject({ username: 'Ripley', role: 'admin' });
      expect(first.body).not.toHaveProperty('passwordHash');

      const closed = await http.post('/api/v1/auth/register').send({ username: 'dallas', password: STRONG }).expect(403);
      expect(closed.body.detail).toBe('Registration is closed; ask an administrator for an account');

      const admin = (await login('ripley', STRONG).expect(200)).body;
      await http
        .patch('/api/v1/settings')
        .set(bearer(admin))
        .send({ registrationOpen: true })
        .expect(200, { registrationOpen: true, videoPhash: false });
      expect(await state()).toEqual({ firstAccount: false, open: true });
      const second = await http.post('/api/v1/auth/register').send({ username: 'dallas', password: STRONG }).expect(201);
      expect(second.body.role).toBe('user');
      await http.patch('/api/v1/settings').set(bearer(admin)).send({ registrationOpen: false }).expect(200);

      const created = await http
        .post('/api/v1/users')
        .set(bearer(admin))
        .send({ username: 'kane', password: STRONG, role: 'user' })
        .expect(201);
      expect(created.body.role).toBe('user');
    });

    it('usernames and emails are unique case-insensitively', async () => {
      const admin = await createAccount(api, 'admin');
      await http
        .post('/api/v1/users')
        .set(bearer(admin))
        .send({ username: 'Lambert', email: 'Lambert@Nostromo.test', password: STRONG })
        .expect(201);
      const sameName = await http.post('/api/v1/users').set(bearer(admin)).send({ username: 'LAMBERT', password: STRONG }).expect(409);
      expect(sameName.body.detail).toBe('That username is already taken');
      const sameEmail = await http
        .post('/api/v1/users')
        .set(bearer(admin))
        .send({ username: 'parker', email: 'lambert@nostromo.TEST', password: STRONG })
        .expect(409);
      expect(sameEmail.body.detail).toBe('That email is already taken');
    });

    it('passwords: 8+ characters, long ones whole, no composition rules, common ones refused', async () => {
      const admin = await createAccount(api, 'admin');
      const create = (username: string, password: string) => http.post('/api/v1/users').set(bearer(admin)).send({ username, password });
      expect((await create('ash', 'short').expect(400)).body.detail).toMatch(/at least 8 characters/);
      expect((await create('ash', 'password1').expect(400)).body.detail).toMatch(/too common/);
      await create('ash', 'alllowercaseletters').expect(201);
      const long = 'x'.repeat(70) + 'y'.repeat(30);
      await create('brett', long).expect(201);
      await login('brett', long).expect(200);
      await login('brett', 'x'.repeat(70) + 'y'.repeat(29) + 'z').expect(401);
    });

    it('changing a password needs the current one and ends the other sessions', async () => {
      const account = await createAccount(api, 'user');
      const other = (await login(account.username, account.password).expect(200)).body;
      await http
        .put('/api/v1/auth/me/password')
        .set(bearer(account))
        .send({ currentPassword: 'wrong password!', newPassword: STRONG })
        .expect(400);
      await http
        .put('/api/v1/auth/me/password')
        .set(bearer(account))
        .send({ currentPassword: account.password, newPassword: STRONG })
        .expect(204);
      await http.get('/api/v1/auth/me').set(bearer(account)).expect(200);
      await http.get('/api/v1/auth/me').set(bearer(other)).expect(401);
      await http.post('/api/v1/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);
      await login(account.username, account.password).expect(401);
      await login(account.username, STRONG).expect(200);
    });
  });

  describe('tokens', () => {
    let account: TestAccount;
    beforeAll(async () => {
      account = await createAccount(api, 'user');
    });

    it('login returns a short-lived access token and a refresh token; me answers', async () => {
      const res = await login(account.username, account.password).expect(200);
      expect(res.body).toMatchObject({ expiresIn: 900, user: { username: account.username, role: 'user' } });
      expect(res.body.refreshToken).toMatch(/^mqr_/);
      const claims = jwt.decode(res.body.accessToken, { complete: true })!;
      expect(claims.header.alg).toBe('HS256');
      expect(claims.payload).toMatchObject({ iss: 'marquee', aud: 'marquee-api', typ: 'access', sub: account.id });
      const me = await http.get('/api/v1/auth/me').set(bearer(res.body.accessToken)).expect(200);
      expect(me.body).toMatchObject({ id: account.id, authenticatedBy: 'jwt' });
    });

    it('wrong password and unknown user get the same answer', async () => {
      const wrong = await login(account.username, 'not the password').expect(401);
      const unknown = await login('nobody-at-all', 'not the password').expect(401);
      expect(wrong.body.detail).toBe(unknown.body.detail);
    });

    it('refuses tampered, unsigned, expired, foreign-audience, other-algorithm and refresh tokens', async () => {
      const good = jwt.decode(account.accessToken) as Record<string, unknown>;
      const { exp: _exp, iat: _iat, aud: _aud, iss: _iss, ...claims } = good;
      const sign = (payload: object, options: jwt.SignOptions = {}, secret = config.jwtSecret) =>
        jwt.sign({ exp: Math.floor(Date.now() / 1000) + 60, ...payload }, secret, {
          algorithm: 'HS256',
          issuer: 'marquee',
          audience: 'marquee-api',
          ...options,
        });
      const [h, p] = account.accessToken.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...good, role: 'admin' })).toString('base64url')}.${account.accessToken.split('.')[2]}`;
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
      const hs512 = sign(claims, { algorithm: 'HS512' });
      const expired = sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 });
      const audience = sign(claims, { audience: 'someone-else' });
      const issuer = sign(claims, { issuer: 'evil' });
      const otherSecret = sign(claims, {}, 'a completely different secret of enough length');
      const wrongType = sign({ ...claims, typ: 'refresh' });
      const forged = `${h}.${p}.${createHmac('sha256', 'guess').update(`${h}.${p}`).digest('base64url')}`;
      for (const token of [
        tampered,
        none,
        hs512,
        expired,
        audience,
        issuer,
        otherSecret,
        wrongType,
        forged,
        account.refreshToken,
        'garbage',
      ]) {
        const res = await http.get('/api/v1/auth/me').set(bearer(token));
        expect([token.slice(0, 12), res.status]).toEqual([token.slice(0, 12), 401]);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
      }
      expect((await http.get('/api/v1/auth/me').set(bearer(expired))).body.detail).toBe('The access token has expired; refresh it');
      await http
        .get('/api/v1/auth/me')
        .set(bearer(sign(claims)))
        .expect(200);
    });

    it('refresh rotates; presenting a rotated token revokes the whole family at once', async () => {
      const first = (await login(account.username, account.password).expect(200)).body;
      const second = (await http.post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
      expect(second.refreshToken).not.toBe(first.refreshToken);
      await http.get('/api/v1/auth/me').set(bearer(second.accessToken)).expect(200);

      const reuse = await http.post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
      expect(reuse.body.detail).toMatch(/already used; the session has been revoked/);
      await http.post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
      await http.get('/api/v1/auth/me').set(bearer(second.accessToken)).expect(401);
      await http.get('/api/v1/auth/me').set(bearer(first.accessToken)).expect(401);
    });

    it('logout ends the session: its access token fails at once and its refresh token too', async () => {
      const session = (await login(account.username, account.password).expect(200)).body;
      await http.post('/api/v1/auth/logout').set(bearer(session.accessToken)).expect(204);
      const after = await http.get('/api/v1/auth/me').set(bearer(session.accessToken)).expect(401);
      expect(after.body.detail).toBe('This session has ended; sign in again');
      await http.post('/api/v1/auth/refresh').send({ refreshToken: session.refreshToken }).expect(401);
    });

    it('browsers get the refresh token only in an httpOnly SameSite=Strict cookie scoped to the auth routes', async () => {
      const res = await http
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', freshIp())
        .set('X-Refresh-Token-Transport', 'cookie')
        .send({ username: account.username, password: account.password })
        .expect(200);
      expect(res.body).not.toHaveProperty('refreshToken');
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0];
      expect(cookie).toMatch(/^marquee_refresh=mqr_/);
      expect(cookie).toMatch(/; Path=\/api\/v1\/auth/);
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Strict/);
      const refreshed = await http.post('/api/v1/auth/refresh').set('Cookie', cookie.split(';')[0]).send({}).expect(200);
      expect(refreshed.body).not.toHaveProperty('refreshToken');
      expect(([] as string[]).concat(refreshed.headers['set-cookie'] ?? [])[0]).toMatch(/^marquee_refresh=mqr_/);
    });
  });

  describe('roles and ownership', () => {
    let admin: TestAccount;
    let alice: TestAccount;
    let bob: TestAccount;
    beforeAll(async () => {
      admin = await createAccount(api, 'admin');
      alice = await createAccount(api, 'user', 'alice');
      bob = await createAccount(api, 'user', 'bob');
    });

    it('users get 403 from admin routes; admins get through', async () => {
      for (const [method, path] of [
        ['get', '/api/v1/users'],
        ['post', '/api/v1/users'],
        ['get', '/api/v1/settings'],
        ['get', '/api/v1/system/status'],
        ['delete', `/api/v1/users/${bob.id}`],
      ] as const) {
        const res = await http[method](path).set(bearer(alice)).send({});
        expect([path, res.status]).toEqual([path, 403]);
      }
      const list = await http.get('/api/v1/users?limit=500').set(bearer(admin)).expect(200);
      expect(list.body).toMatchObject({ limit: 500, offset: 0, total: expect.any(Number) });
      expect(list.body.items.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining([alice.id, bob.id]));
    });

    it("another user's session or API key by id is a 404", async () => {
      const key = (
        await http
          .post('/api/v1/api-keys')
          .set(bearer(bob))
          .send({ name: 'bob', scopes: ['read'] })
          .expect(201)
      ).body;
      await http.delete(`/api/v1/sessions/${bob.sessionId}`).set(bearer(alice)).expect(404);
      await http.delete(`/api/v1/api-keys/${key.id}`).set(bearer(alice)).expect(404);
      const aliceSessions = (await http.get('/api/v1/sessions').set(bearer(alice)).expect(200)).body;
      expect(aliceSessions.map((s: { id: string }) => s.id)).not.toContain(bob.sessionId);
      await http.get('/api/v1/auth/me').set(bearer(bob)).expect(200);
    });

    it('admins list and revoke any user’s sessions', async () => {
      const carol = await createAccount(api, 'user', 'carol');
      const sessions = (await http.get(`/api/v1/users/${carol.id}/sessions`).set(bearer(admin)).expect(200)).body;
      expect(sessions.map((s: { id: string }) => s.id)).toEqual([carol.sessionId]);
      await http.delete(`/api/v1/users/${carol.id}/sessions/${carol.sessionId}`).set(bearer(admin)).expect(204);
      await http.get('/api/v1/auth/me').set(bearer(carol)).expect(401);
      await http.delete(`/api/v1/users/${alice.id}/sessions/${carol.sessionId}`).set(bearer(admin)).expect(404);
    });

    it('a disabled user is refused everywhere at once, and re-enabled works again', async () => {
      const dave = await createAccount(api, 'user', 'dave');
      const key = (
        await http
          .post('/api/v1/api-keys')
          .set(bearer(dave))
          .send({ name: 'k', scopes: ['read'] })
          .expect(201)
      ).body.key;
      await http.patch(`/api/v1/users/${dave.id}`).set(bearer(admin)).send({ disabled: true }).expect(200);
      await http.get('/api/v1/auth/me').set(bearer(dave)).expect(401);
      await http.get('/api/v1/auth/me').set('X-Api-Key', key).expect(401);
      await http.post('/api/v1/auth/refresh').send({ refreshToken: dave.refreshToken }).expect(401);
      expect((await login(dave.username, dave.password).expect(401)).body.detail).toBe('This account is disabled');
      await http.patch(`/api/v1/users/${dave.id}`).set(bearer(admin)).send({ disabled: false }).expect(200);
      await login(dave.username, dave.password).expect(200);
      await http.get('/api/v1/auth/me').set('X-Api-Key', key).expect(200);
    });

    it('an admin cannot lock themselves out', async () => {
      await http.patch(`/api/v1/users/${admin.id}`).set(bearer(admin)).send({ role: 'user' }).expect(400);
      await http.delete(`/api/v1/users/${admin.id}`).set(bearer(admin)).expect(400);
    });
  });

  describe('API keys', () => {
    let owner: TestAccount;
    beforeAll(async () => {
      owner = await createAccount(api, 'user', 'keys');
    });

    it('are shown once, stored hashed with a visible prefix, and work in X-Api-Key', async () => {
      const created = (
        await http
          .post('/api/v1/api-keys')
          .set(bearer(owner))
          .send({ name: 'TV', scopes: ['read', 'stream'] })
          .expect(201)
      ).body;
      expect(created.key).toMatch(/^mq_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
      expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);
      const listed = (await http.get('/api/v1/api-keys').set(bearer(owner)).expect(200)).body;
      expect(listed).toEqual([expect.objectContaining({ id: created.id, prefix: created.prefix, lastUsedAt: null })]);
      expect(JSON.stringify(listed)).not.toContain(created.key);

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query('SELECT "keyHash" FROM api_keys WHERE id = $1', [created.id]);
      await client.end();
      expect(rows[0].keyHash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0].keyHash).not.toContain(created.key);

      const me = await http.get('/api/v1/auth/me').set('X-Api-Key', created.key).expect(200);
      expect(me.body).toMatchObject({ id: owner.id, authenticatedBy: 'api-key', scopes: ['read', 'stream'] });
      const after = (await http.get('/api/v1/api-keys').set(bearer(owner)).expect(200)).body;
      expect(after[0].lastUsedAt).toEqual(expect.any(String));
    });

    it('a read key cannot write; scopes never exceed the owner’s role; revoked and expired keys fail', async () => {
      const read = (
        await http
          .post('/api/v1/api-keys')
          .set(bearer(owner))
          .send({ name: 'r', scopes: ['read'] })
          .expect(201)
      ).body;
      const denied = await http
        .post('/api/v1/api-keys')
        .set('X-Api-Key', read.key)
        .send({ name: 'x', scopes: ['read'] })
        .expect(403);
      expect(denied.body.detail).toBe('This credential lacks the "write" scope');
      const tooMuch = await http
        .post('/api/v1/api-keys')
        .set(bearer(owner))
        .send({ name: 'a', scopes: ['admin'] })
        .expect(400);
      expect(tooMuch.body.detail).toBe('Your role cannot grant the scope(s): admin');
      await http
        .post('/api/v1/api-keys')
        .set(bearer(owner))
        .send({ name: 'bad', scopes: ['root'] })
        .expect(400);

      await http.delete(`/api/v1/api-keys/${read.id}`).set(bearer(owner)).expect(204);
      await http.get('/api/v1/auth/me').set('X-Api-Key', read.key).expect(401);

      const soon = new Date(Date.now() + 1500).toISOString();
      const expiring = (
        await http
          .post('/api/v1/api-keys')
          .set(bearer(owner))
          .send({ name: 'e', scopes: ['read'], expiresAt: soon })
          .expect(201)
      ).body;
      await http.get('/api/v1/auth/me').set('X-Api-Key', expiring.key).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 1600));
      await http.get('/api/v1/auth/me').set('X-Api-Key', expiring.key).expect(401);
      await http
        .get('/api/v1/auth/me')
        .set('X-Api-Key', `${expiring.key.slice(0, -1)}A`)
        .expect(401);
    });

    it('an admin key reaches admin routes; a user key with every scope does not', async () => {
      const admin = await createAccount(api, 'admin');
      const adminKey = (
        await http
          .post('/api/v1/api-keys')
          .set(bearer(admin))
          .send({ name: 'ops', scopes: ['admin'] })
          .expect(201)
      ).body.key;
      await http.get('/api/v1/users').set('X-Api-Key', adminKey).expect(200);
      const writeKey = (
        await http
          .post('/api/v1/api-keys')
          .set(bearer(admin))
          .send({ name: 'w', scopes: ['write'] })
          .expect(201)
      ).body.key;
      await http.get('/api/v1/users').set('X-Api-Key', writeKey).expect(403);
      const userKey = (
        await http
          .post('/api/v1/api-keys')
          .set(bearer(owner))
          .send({ name: 'all', scopes: ['read', 'write', 'stream'] })
          .expect(201)
      ).body.key;
      await http.get('/api/v1/users').set('X-Api-Key', userKey).expect(403);
    });
  });

  describe('stream tokens (?st=)', () => {
    it('are accepted by streaming routes for their own item only, and nowhere else', async () => {
      const viewer = await createAccount(api, 'user', 'viewer');
      const tokens = api.get(StreamTokenService);
      const st = tokens.sign(viewer.id, 'item-1');
      await http.get(`/api/v1/test-stream/item-1?st=${st}`).expect(200, { itemId: 'item-1' });
      await http.get(`/api/v1/test-stream/item-2?st=${st}`).expect(401);
      await http.get(`/api/v1/test-stream/item-1?st=${tokens.sign(viewer.id, 'item-1', 60, Date.now() - 3_600_000)}`).expect(401);
      await http.get(`/api/v1/test-stream/item-1?st=${st.slice(0, -2)}xx`).expect(401);
      await http.get(`/api/v1/auth/me?st=${st}`).expect(401);
      await http.get('/api/v1/test-stream/item-1').expect(401);
      await http.get('/api/v1/test-stream/item-1').set(bearer(viewer)).expect(200);
      const readOnly = (
        await http
          .post('/api/v1/api-keys')
          .set(bearer(viewer))
          .send({ name: 'r', scopes: ['read'] })
          .expect(201)
      ).body.key;
      await http.get('/api/v1/test-stream/item-1').set('X-Api-Key', readOnly).expect(403);
    });
  });

  describe('abuse', () => {
    it('sign-in is rate-limited per address (429 with Retry-After)', async () => {
      const ip = '203.0.113.77';
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) statuses.push((await login(`nobody-${i}`, 'wrong password', ip)).status);
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      const limited = await login('nobody', 'wrong password', ip).expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body.detail).toMatch(/^Too many sign-in attempts; try again in \d+ seconds$/);
      await login('nobody', 'wrong password', '203.0.113.78').expect(401);
    });

    it('failed sign-ins against one account are limited from anywhere; the right password then also waits', async () => {
      const target = await createAccount(api, 'user', 'target');
      for (let i = 0; i < 10; i++) await login(target.username, 'wrong password').expect(401);
      const limited = await login(target.username, target.password).expect(429);
      expect(limited.body.detail).toMatch(/failed sign-ins for this account/);
    });

    it('refresh is limited per address and per account; a refused refresh leaves the token usable', async () => {
      const account = await createAccount(api, 'user', 'refresher');
      let token = account.refreshToken;
      for (let i = 0; i < 30; i++) {
        const res = await http.post('/api/v1/auth/refresh').set('X-Forwarded-For', freshIp()).send({ refreshToken: token }).expect(200);
        token = res.body.refreshToken;
      }
      const limited = await http.post('/api/v1/auth/refresh').set('X-Forwarded-For', freshIp()).send({ refreshToken: token }).expect(429);
      expect(limited.body.detail).toMatch(/^Too many refreshes for this account; try again in \d+ seconds$/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Not rotated by the refused call, so not "reused" either: the session is still alive.
      await http.get('/api/v1/auth/me').set(bearer(account)).expect(200);

      const ip = '203.0.113.99';
      const statuses: number[] = [];
      for (let i = 0; i < 61; i++)
        statuses.push(
          (
            await http
              .post('/api/v1/auth/refresh')
              .set('X-Forwarded-For', ip)
              .send({ refreshToken: `mqr_${i}` })
          ).status,
        );
      expect(statuses.slice(0, 60).every((s) => s === 401)).toBe(true);
      expect(statuses[60]).toBe(429);
    });

    it('X-Forwarded-For is believed only from trusted proxies', async () => {
      const closed = await startApi(testConfig({ env: { DATABASE_URL: db.url } }));
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 21; i++) {
          statuses.push(
            (
              await request(closed.getHttpServer())
                .post('/api/v1/auth/login')
                .set('X-Forwarded-For', `192.0.2.${i}`)
                .send({ username: 'x', password: 'y' })
            ).status,
          );
        }
        // Rotating the header does not help: without a trusted proxy every request counts for 127.0.0.1.
        expect(statuses.at(-1)).toBe(429);
      } finally {
        await closed.close();
      }
    });
  });
});
