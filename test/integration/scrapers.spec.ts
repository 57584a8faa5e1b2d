import { rmSync } from 'node:fs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type { AppConfig } from '../../libs/core/src/index.js';
import { ArtworkService } from '../../libs/library/src/artwork/artwork.service.js';
import { SafeFetchError, SafeHttpClient } from '../../libs/plugins/src/index.js';
import { ScrapedArtworkImporter } from '../../libs/scrapers/src/index.js';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { type MetadataServer, startMetadataServer } from '../helpers/metadata-server.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';

const HINT = '(an administrator can allow private networks with PATCH /api/v1/plugins/network-policy)';

describe('the SSRF-safe HTTP client against a real loopback server', () => {
  let db: ScratchDatabase;
  let config: AppConfig;
  let api: NestExpressApplication;
  let admin: TestAccount;
  let server: MetadataServer;
  let client: SafeHttpClient;

  const setPolicy = (allowPrivateNetworks: boolean) =>
    request(api.getHttpServer()).patch('/api/v1/plugins/network-policy').set(bearer(admin)).send({ allowPrivateNetworks }).expect(200);
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SafeFetchError);
    return error as SafeFetchError;
  };

  beforeAll(async () => {
    server = await startMetadataServer();
    db = await createScratchDatabase();
    config = testConfig({ env: { DATABASE_URL: db.url } });
    api = await startApi(config);
    ({ admin } = await seedAccounts(api));
    client = api.get(SafeHttpClient);
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
    await server?.close();
    if (config?.dataDir) rmSync(config.dataDir, { recursive: true, force: true });
  });

  describe('private networks refused (the default)', () => {
    beforeAll(() => setPolicy(false));

    it('refuses the loopback server by IP, before connecting', async () => {
      const error = await refusal(client.get(`${server.url}/search?q=alien`));
      expect(error.reason).toBe('refused');
      expect(error.message).toBe(`Refused to fetch ${server.url}/search: 127.0.0.1 is a loopback address ${HINT}`);
      expect(server.requests).toEqual([]);
    });

    it('refuses a host name after resolving it (localhost)', async () => {
      const error = await refusal(client.get(`http://localhost:${server.port}/search`));
      expect(error.message).toMatch(
        new RegExp(
          `^Refused to fetch http://localhost:${server.port}/search: localhost resolves to (127\\.0\\.0\\.1|::1), which is a loopback address`,
        ),
      );
      expect(server.requests).toEqual([]);
    });

    it.each([
      ['http://10.20.30.40/', '10.20.30.40 is a private address'],
      ['http://172.16.5.4/', '172.16.5.4 is a private address'],
      ['http://192.168.1.1/', '192.168.1.1 is a private address'],
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'],
      ['http://100.64.0.1/', '100.64.0.1 is a carrier-grade NAT (CGNAT) address'],
      ['http://224.0.0.251/', '224.0.0.251 is a multicast address'],
      ['http://0.0.0.0:8080/', '0.0.0.0 is a "this network" address'],
      ['http://[::1]/', '::1 is a loopback address'],
      ['http://[fd12:3456::1]/', 'fd12:3456::1 is a unique local (ULA) address'],
      ['http://[fe80::1]/', 'fe80::1 is a link-local address'],
      ['http://[ff02::1]/', 'ff02::1 is a multicast address'],
      ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1 is an IPv4-mapped address'],
      ['http://2130706433/', '127.0.0.1 is a loopback address'],
    ])('refuses %s', async (url, reason) => {
      const error = await refusal(client.get(url, { timeoutMs: 2000 }));
      expect(error.message).toContain(`: ${reason} ${HINT}`);
    });

    it('refuses other schemes and URLs with credentials', async () => {
      expect((await refusal(client.get('ftp://example.org/file'))).message).toBe(
        'Refused to fetch ftp://example.org/file: only http and https URLs are fetched',
      );
      expect((await refusal(client.get('file:///etc/passwd'))).message).toContain('only http and https URLs are fetched');
      expect((await refusal(client.get(`http://user:pw@${server.host}:${server.port}/`))).message).toContain(
        'URLs with credentials are not fetched',
      );
      expect((await refusal(client.get('not a url'))).message).toBe('Refused to fetch "not a url": not a valid absolute URL');
    });

    it('downloads of scraped artwork go through the same refusal', async () => {
      const importer = new ScrapedArtworkImporter(client, api.get(ArtworkService));
      const { results } = await importer.import(
        '00000000-0000-4000-8000-000000000000',
        [{ kind: 'poster', url: `${server.url}/images/alien-poster.png` }],
        [`${server.host}:${server.port}`],
      );
      expect(results).toEqual([
        {
          kind: 'poster',
          stored: false,
          error: `Refused to fetch ${server.url}/images/alien-poster.png: 127.0.0.1 is a loopback address ${HINT}`,
        },
      ]);
    });

    describe('one private host allowed by an admin', () => {
      let other: MetadataServer;
      beforeAll(async () => {
        other = await startMetadataServer();
        await request(api.getHttpServer())
          .patch('/api/v1/plugins/network-policy')
          .set(bearer(admin))
          .send({ allowedPrivateHosts: [`${server.host}:${server.port}`] })
          .expect(200, { allowPrivateNetworks: false, allowedPrivateHosts: [`${server.host}:${server.port}`] });
        server.requests.length = 0;
      });
      afterAll(async () => {
        await request(api.getHttpServer()).patch('/api/v1/plugins/network-policy').set(bearer(admin)).send({ allowedPrivateHosts: [] });
        await other?.close();
        server.requests.length = 0;
      });

      it('reaches that host only; its redirects to other private addresses are refused by the address check', async () => {
        expect((await client.get(`${server.url}/search?q=alien`)).status).toBe(200);
        expect((await refusal(client.get(`${other.url}/search`))).message).toBe(
          `Refused to fetch ${other.url}/search: 127.0.0.1 is a loopback address ${HINT}`,
        );
        const via = (to: string) => client.get(`${server.url}/redirect?to=${encodeURIComponent(to)}`, { timeoutMs: 2000 });
        const toOther = await refusal(via(`${other.url}/search`));
        expect(toOther).toMatchObject({
          reason: 'refused',
          message: `Refused to fetch ${other.url}/search: 127.0.0.1 is a loopback address ${HINT}`,
        });
        expect((await refusal(via('http://169.254.169.254/latest/meta-data/'))).message).toBe(
          `Refused to fetch http://169.254.169.254/latest/meta-data/: 169.254.169.254 is a link-local address ${HINT}`,
        );
        expect((await refusal(via('http://10.0.0.1/admin'))).message).toBe(
          `Refused to fetch http://10.0.0.1/admin: 10.0.0.1 is a private address ${HINT}`,
        );
        expect((await refusal(via(`http://localhost:${other.port}/search`))).message).toMatch(
          new RegExp(
            `^Refused to fetch http://localhost:${other.port}/search: localhost resolves to (127\\.0\\.0\\.1|::1), which is a loopback address`,
          ),
        );
        expect(other.requests).toEqual([]);
        expect(server.requests.map((r) => r.path.split('?')[0])).toEqual(['/search', '/redirect', '/redirect', '/redirect', '/redirect']);
      });

      it('refuses host patterns that are not host names or addresses', async () => {
        const res = await request(api.getHttpServer())
          .patch('/api/v1/plugins/network-policy')
          .set(bearer(admin))
          .send({ allowedPrivateHosts: ['http://10.0.0.1/', 'ok.lan'] })
          .expect(400);
        expect(res.body.errors).toEqual([
          {
            field: 'allowedPrivateHosts',
            message: 'each of allowedPrivateHosts must be a host pattern such as "metadata.lan", "*.lan" or "192.168.1.20:8080"',
          },
        ]);
        await request(api.getHttpServer())
          .patch('/api/v1/plugins/network-policy')
          .set(bearer(admin))
          .send({ allowedPrivateHosts: 'ok.lan' })
          .expect(400);
      });
    });
  });

  describe('private networks allowed by an admin', () => {
    beforeAll(() => setPolicy(true));
    afterAll(() => setPolicy(false));

    it('fetches, within the permitted hosts only', async () => {
      const response = await client.get(`${server.url}/search?q=alien`, { allowedHosts: [`${server.host}:${server.port}`] });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body.toString()).total).toBe(2);
      const error = await refusal(client.get(`${server.url}/search`, { allowedHosts: ['api.example.org', `${server.host}:1`] }));
      expect(error.message).toBe(
        `Refused to fetch ${server.url}/search: ${server.host}:${server.port} is not among the permitted hosts (api.example.org, ${server.host}:1)`,
      );
      expect((await refusal(client.get(`${server.url}/search`, { allowedHosts: [] }))).message).toContain(
        'is not among the permitted hosts (none)',
      );
    });

    it('checks every redirect hop and caps the number of redirects', async () => {
      const allowed = [`${server.host}:${server.port}`];
      const followed = await client.get(`${server.url}/redirect?to=${encodeURIComponent('/search?q=alien')}`, { allowedHosts: allowed });
      expect(followed.url).toBe(`${server.url}/search?q=alien`);
      const elsewhere = `http://localhost:${server.port}/search`;
      const error = await refusal(client.get(`${server.url}/redirect?to=${encodeURIComponent(elsewhere)}`, { allowedHosts: allowed }));
      expect(error.message).toBe(
        `Refused to fetch http://localhost:${server.port}/search: localhost:${server.port} is not among the permitted hosts (${allowed[0]})`,
      );
      const loop = await refusal(client.get(`${server.url}/loop`));
      expect(loop).toMatchObject({ reason: 'redirects', message: `Fetching ${server.url}/loop was redirected more than 5 times` });
    });

    it('times out and caps the body size', async () => {
      const started = Date.now();
      const slow = await refusal(client.get(`${server.url}/slow`, { timeoutMs: 500 }));
      expect(slow).toMatchObject({ reason: 'timeout', message: `Fetching ${server.url}/slow took longer than 0.5 s` });
      expect(Date.now() - started).toBeLessThan(3000);
      const huge = await refusal(client.get(`${server.url}/huge`, { maxBytes: 1024 * 1024 }));
      expect(huge.reason).toBe('too-large');
      expect(huge.message).toBe(`${server.url}/huge sent more than the 1048576 bytes allowed`);
    });

    it('a declared content-length over the cap is refused before the body is read', async () => {
      const huge = await refusal(client.get(`${server.url}/huge?declared`, { maxBytes: 1024 * 1024 }));
      expect(huge).toMatchObject({
        reason: 'too-large',
        message: `${server.url}/huge answered with ${30 * 1024 * 1024} bytes, more than the 1048576 allowed`,
      });
    });

    it('the caller cannot choose Host, connection, proxy or forwarding headers', async () => {
      server.requests.length = 0;
      await client.get(`${server.url}/search?q=alien`, {
        allowedHosts: [`${server.host}:${server.port}`],
        headers: {
          Host: 'other.example',
          Connection: 'upgrade',
          Upgrade: 'h2c',
          'Keep-Alive': 'timeout=600',
          'Proxy-Authorization': 'Basic cHJveHk6cHJveHk=',
          'X-Forwarded-For': '10.0.0.1',
          'X-Forwarded-Host': 'other.example',
          Forwarded: 'for=10.0.0.1;host=other.example',
          'Accept-Encoding': 'gzip',
          'X-Api-Key': 'kept',
          'User-Agent': 'Example plugin/1.0',
        },
      });
      const [{ headers }] = server.requests;
      expect(headers.host).toBe(`${server.host}:${server.port}`);
      expect(headers.connection).toBe('close');
      expect(headers['accept-encoding']).toBe('identity');
      for (const name of ['upgrade', 'keep-alive', 'proxy-authorization', 'x-forwarded-for', 'x-forwarded-host', 'forwarded'])
        expect(headers[name]).toBeUndefined();
      expect(headers['x-api-key']).toBe('kept');
      expect(headers['user-agent']).toBe('Example plugin/1.0');
      const bad = await refusal(client.get(`${server.url}/search`, { headers: { 'X-Api-Key': 'a\r\nHost: other.example' } }));
      expect(bad.message).toBe(`Refused to fetch ${server.url}/search: the header "X-Api-Key" is not a valid HTTP header`);
    });

    it("the caller's headers follow a same-origin redirect, not one to another origin (nor back)", async () => {
      const other = await startMetadataServer();
      try {
        const allowedHosts = [`${server.host}:${server.port}`, `${other.host}:${other.port}`];
        const headers = { 'X-Api-Key': 'secret-key', Authorization: 'Bearer secret-token', Cookie: 'session=secret' };
        const sent = (r: { headers: Record<string, unknown> }) => [r.headers['x-api-key'], r.headers.authorization, r.headers.cookie];
        server.requests.length = 0;
        await client.get(`${server.url}/redirect?to=${encodeURIComponent('/search?q=alien')}`, { allowedHosts, headers });
        expect(server.requests.map(sent)).toEqual([
          ['secret-key', 'Bearer secret-token', 'session=secret'],
          ['secret-key', 'Bearer secret-token', 'session=secret'],
        ]);

        server.requests.length = 0;
        const back = `${other.url}/redirect?to=${encodeURIComponent(`${server.url}/search?q=alien`)}`;
        const response = await client.get(`${server.url}/redirect?to=${encodeURIComponent(back)}`, { allowedHosts, headers });
        expect(response.url).toBe(`${server.url}/search?q=alien`);
        expect(other.requests.map(sent)).toEqual([[undefined, undefined, undefined]]);
        expect(server.requests.map(sent)).toEqual([
          ['secret-key', 'Bearer secret-token', 'session=secret'],
          [undefined, undefined, undefined],
        ]);
      } finally {
        await other.close();
      }
    });

    it('a download that is not a picture is refused after fetching it', async () => {
      const importer = new ScrapedArtworkImporter(client, api.get(ArtworkService));
      const { results } = await importer.import(
        '00000000-0000-4000-8000-000000000000',
        [{ kind: 'poster', url: `${server.url}/images/not-an-image.jpg` }],
        [`${server.host}:${server.port}`],
      );
      expect(results).toEqual([{ kind: 'poster', stored: false, error: 'the download is not an image' }]);
    });
  });
});
