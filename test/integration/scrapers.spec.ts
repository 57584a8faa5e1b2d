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
