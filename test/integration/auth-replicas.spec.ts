import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { bearer, createAccount } from '../helpers/accounts.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { availableQueueBackends, testConfig } from '../helpers/test-config.js';

const backends = availableQueueBackends();
if (!backends.includes('redis')) test.skip('revocation through Redis across replicas (skipped: REDIS_URL is not set)', () => undefined);

/**
 * Two api replicas on one database (and, with Redis configured, one Redis): a logout, a revoked
 * session or a disabled user seen on one is refused by the other on the very next request.
 */
describe.each(backends)('revocation across api replicas (%s)', (backend) => {
  let db: ScratchDatabase;
  let a: NestExpressApplication;
  let b: NestExpressApplication;

  beforeAll(async () => {
    db = await createScratchDatabase();
    // Replicas share the database, the queue backend and the secret, as deployments must.
    const env = { DATABASE_URL: db.url, JWT_SECRET: 'replicas-share-this-secret-of-48-characters-long!' };
    a = await startApi(testConfig({ queueBackend: backend, env }));
    b = await startApi(testConfig({ queueBackend: backend, env }));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('a logout on one replica ends the access token on the other at once', async () => {
    const account = await createAccount(a, 'user');
    const session = (
      await request(a.getHttpServer())
        .post('/api/v1/auth/login')
        .send({ username: account.username, password: account.password })
        .expect(200)
    ).body;
    await request(b.getHttpServer()).get('/api/v1/auth/me').set(bearer(session.accessToken)).expect(200);
    await request(a.getHttpServer()).post('/api/v1/auth/logout').set(bearer(session.accessToken)).expect(204);
    await request(b.getHttpServer()).get('/api/v1/auth/me').set(bearer(session.accessToken)).expect(401);
  });

  it('disabling a user on one replica refuses their token and key on the other at once', async () => {
    const admin = await createAccount(a, 'admin');
    const user = await createAccount(a, 'user');
    const key = (
      await request(b.getHttpServer())
        .post('/api/v1/api-keys')
        .set(bearer(user))
        .send({ name: 'k', scopes: ['read'] })
        .expect(201)
    ).body.key;
    await request(a.getHttpServer()).patch(`/api/v1/users/${user.id}`).set(bearer(admin)).send({ disabled: true }).expect(200);
    await request(b.getHttpServer()).get('/api/v1/auth/me').set(bearer(user)).expect(401);
    await request(b.getHttpServer()).get('/api/v1/auth/me').set('X-Api-Key', key).expect(401);
  });

  it('a role change takes effect at once: the old token with the old role is refused', async () => {
    const admin = await createAccount(a, 'admin');
    const other = await createAccount(a, 'admin', 'demoted');
    await request(b.getHttpServer()).get('/api/v1/users').set(bearer(other)).expect(200);
    await request(a.getHttpServer()).patch(`/api/v1/users/${other.id}`).set(bearer(admin)).send({ role: 'user' }).expect(200);
    await request(b.getHttpServer()).get('/api/v1/users').set(bearer(other)).expect(401);
  });
});
