import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PROBLEM_CONTENT_TYPE, type PluginView } from '@marquee/contracts';
import pg from 'pg';
import request from 'supertest';
import type { AppConfig } from '../../libs/core/src/index.js';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { copyExample, EXAMPLES, folderEntries, sha256, tarGz, writePlugin, zipEntries } from './plugins-packages.js';

const EXAMPLE_ID = 'org.marquee.example-catalogue';
/** A name no other run uses, for entries that try to land outside the staging folder (and the data dir). */
const ESCAPE = `marquee-escape-${process.pid}.txt`;

interface PluginRow {
  id: string;
  enabled: boolean;
  path: string;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}

describe('plugins: install, enable, settings, remove', () => {
  let config: AppConfig;
  let api: NestExpressApplication;
  let admin: TestAccount;
  let user: TestAccount;
  let sql: pg.Client;
  let db: ScratchDatabase;

  const http = () => request(api.getHttpServer());
  const uploadZip = (archive: Buffer, query = '') =>
    http().post(`/api/v1/plugins${query}`).set(bearer(admin)).set('Content-Type', 'application/zip').send(archive);
  const pluginRow = async (id: string) => (await sql.query(`SELECT * FROM plugins WHERE id = $1`, [id])).rows[0] as PluginRow | undefined;
  const installedDir = (id: string) => join(config.dataDir, 'plugins', id);
  const remove = (id: string) => http().delete(`/api/v1/plugins/${id}`).set(bearer(admin));
  const leftovers = () => (existsSync(join(config.dataDir, 'plugins')) ? readdirSync(join(config.dataDir, 'plugins')) : []);
  /**
   * Where an archive entry would be written if its name were not checked: archives unpack into
   * `<dataDir>/plugins/.staging-<random>/unpacked`, and the staging folder is deleted afterwards, so
   * only an entry climbing out of it leaves a trace to look for.
   */
  const landing = (name: string) => resolve(config.dataDir, 'plugins', '.staging-x', 'unpacked', name);
  /** Files called `name` anywhere in the data dir, or beside it (the data dir's parent folder). */
  const copiesOf = (name: string): string[] => {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (entry.name === name) found.push(join(dir, entry.name));
      }
    };
    walk(config.dataDir);
    if (existsSync(join(dirname(config.dataDir), name))) found.push(join(dirname(config.dataDir), name));
    return found;
  };

  beforeAll(async () => {
    db = await createScratchDatabase();
    config = testConfig({ env: { DATABASE_URL: db.url } });
    api = await startApi(config);
    ({ admin, user } = await seedAccounts(api));
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await api?.close();
    await db?.drop();
    if (config?.dataDir) rmSync(config.dataDir, { recursive: true, force: true });
  });

  describe('from an uploaded zip', () => {
    let archive: Buffer;

    beforeAll(async () => {
      archive = await zipEntries(folderEntries(join(EXAMPLES, 'catalogue'), 'catalogue/'));
    });
    afterAll(() => remove(EXAMPLE_ID));

    it('refuses an archive whose sha256 differs, installing nothing', async () => {
      const res = await uploadZip(archive, `?sha256=${'0'.repeat(64)}`).expect(400);
      expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(res.body.detail).toContain(`sha256 is ${sha256(archive)}, not the expected ${'0'.repeat(64)}`);
      expect(await pluginRow(EXAMPLE_ID)).toBeUndefined();
      expect(existsSync(installedDir(EXAMPLE_ID))).toBe(false);
    });

    it('installs with a matching sha256 (in a top-level folder), disabled, files in the data dir with execute bits', async () => {
      const res = await uploadZip(archive, `?sha256=${sha256(archive).toUpperCase()}`).expect(201);
      const view = res.body as PluginView;
      expect(view).toMatchObject({
        id: EXAMPLE_ID,
        name: 'Example catalogue',
        version: '1.0.0',
        enabled: false,
        source: 'archive',
        runtime: 'node',
        capabilities: ['identify', 'scrape:movie', 'scrape:series'],
        permissions: { hosts: ['catalogue.example.org'] },
        settings: { language: 'en', remoteUrl: null, apiKey: { set: false } },
      });
      expect(view.settingsSchema.apiKey).toEqual({ type: 'string', title: 'Remote catalogue API key', secret: true });
      const dir = installedDir(EXAMPLE_ID);
      expect(readFileSync(join(dir, 'catalogue.json'), 'utf8')).toBe(readFileSync(join(EXAMPLES, 'catalogue', 'catalogue.json'), 'utf8'));
      expect(statSync(join(dir, 'index.mjs')).mode & 0o111).not.toBe(0);
      expect((await pluginRow(EXAMPLE_ID))!.path).toBe(dir);
      // Staging folders are gone.
      expect(leftovers()).toEqual([EXAMPLE_ID]);
    });

    it('takes a multipart upload with the sha256 as a field', async () => {
      const res = await http()
        .post('/api/v1/plugins')
        .set(bearer(admin))
        .field('sha256', sha256(archive))
        .attach('file', archive, { filename: 'catalogue.zip', contentType: 'application/zip' })
        .expect(201);
      expect(res.body.id).toBe(EXAMPLE_ID);
      const bad = await http()
        .post('/api/v1/plugins')
        .set(bearer(admin))
        .attach('file', archive, { filename: 'catalogue.zip', contentType: 'application/zip' })
        .field('sha256', 'f'.repeat(64))
        .expect(400);
      expect(bad.body.detail).toContain('not the expected');
    });

    it('lists it; users are refused', async () => {
      const res = await http().get('/api/v1/plugins').set(bearer(admin)).expect(200);
      expect(res.body.total).toBe(1);
      expect(res.body.items[0].id).toBe(EXAMPLE_ID);
      await http().get('/api/v1/plugins').set(bearer(user)).expect(403);
      await http().post('/api/v1/plugins').set(bearer(user)).set('Content-Type', 'application/zip').send(archive).expect(403);
    });
  });

  describe('refused archives', () => {
    const manifest = readFileSync(join(EXAMPLES, 'catalogue', 'marquee-plugin.json'));
    const entry = readFileSync(join(EXAMPLES, 'catalogue', 'index.mjs'));

    it.each([
      ['a ".." entry', '../escape.txt', 'has a ".." segment'],
      ['a nested ".." entry', 'lib/../../escape.txt', 'has a ".." segment'],
      ['a ".." entry climbing to the plugins folder', '../../escape.txt', 'has a ".." segment'],
      ['a ".." entry climbing to the data dir', '../../../escape.txt', 'has a ".." segment'],
      ['a ".." entry climbing out of the data dir', `../../../../${ESCAPE}`, 'has a ".." segment'],
      ['a nested ".." entry climbing out of the data dir', `lib/../../../../../${ESCAPE}`, 'has a ".." segment'],
      ['an absolute entry', '/tmp/marquee-absolute.txt', 'is an absolute path'],
    ])('refuses %s and writes nothing', async (_label, name, reason) => {
      const archive = await zipEntries([
        { name: 'marquee-plugin.json', data: manifest },
        { name: 'index.mjs', data: entry, mode: 0o100755 },
        { name, data: 'owned' },
      ]);
      const res = await uploadZip(archive).expect(400);
      expect(res.body.detail).toBe(`The archive entry "${name}" ${reason}; the archive is refused`);
      expect(existsSync('/tmp/marquee-absolute.txt')).toBe(false);
      expect(existsSync(join(config.dataDir, 'escape.txt'))).toBe(false);
      expect(await pluginRow(EXAMPLE_ID)).toBeUndefined();
      expect(leftovers()).toEqual([]);
      expect(existsSync(name.startsWith('/') ? name : landing(name))).toBe(false);
      expect(copiesOf(basename(name))).toEqual([]);
    });

    it('refuses a symlink entry', async () => {
      const archive = await zipEntries([
        { name: 'marquee-plugin.json', data: manifest },
        { name: 'index.mjs', data: '/etc/passwd', mode: 0o120777 },
      ]);
      const res = await uploadZip(archive).expect(400);
      expect(res.body.detail).toBe('The archive entry "index.mjs" is a symlink or special file; the archive is refused');
    });

    it('refuses what is not an archive, and a body that is neither archive nor JSON', async () => {
      expect((await uploadZip(Buffer.from('just some text')).expect(400)).body.detail).toBe(
        'The upload is neither a zip nor a .tar.gz archive',
      );
      const res = await http().post('/api/v1/plugins').set(bearer(admin)).set('Content-Type', 'text/plain').send('hello').expect(400);
      expect(res.body.detail).toContain('Send an archive');
    });

    it('refuses an archive without a manifest', async () => {
      const res = await uploadZip(await zipEntries([{ name: 'index.mjs', data: entry }])).expect(400);
      expect(res.body.detail).toBe('The archive has no marquee-plugin.json at its top (or in its single top-level folder)');
    });
  });

  describe('from a .tar.gz', () => {
    afterAll(() => remove(EXAMPLE_ID));

    it('installs the example', async () => {
      const archive = await tarGz(join(EXAMPLES, 'catalogue'));
      const res = await http()
        .post(`/api/v1/plugins?sha256=${sha256(archive)}`)
        .set(bearer(admin))
        .set('Content-Type', 'application/gzip')
        .send(archive)
        .expect(201);
      expect(res.body).toMatchObject({ id: EXAMPLE_ID, source: 'archive' });
      expect(statSync(join(installedDir(EXAMPLE_ID), 'index.mjs')).mode & 0o111).not.toBe(0);
    });

    it('refuses one with a ".." entry', async () => {
      const dir = copyExample('catalogue');
      writeFileSync(join(dir, '..', 'evil.txt'), 'owned');
      const out = join(dir, '..', 'evil.tar.gz');
      await promisify(execFile)('tar', ['-czPf', out, 'marquee-plugin.json', '../evil.txt'], { cwd: dir });
      const res = await http()
        .post('/api/v1/plugins')
        .set(bearer(admin))
        .set('Content-Type', 'application/gzip')
        .send(readFileSync(out))
        .expect(400);
      expect(res.body.detail).toBe('The archive entry "../evil.txt" has a ".." segment; the archive is refused');
      expect(existsSync(join(config.dataDir, 'plugins', 'evil.txt'))).toBe(false);
    });

    it('refuses one whose ".." entry would land outside the data dir, writing nothing', async () => {
      const dir = copyExample('catalogue');
      writeFileSync(join(dir, 'evil.txt'), 'owned');
      const out = join(dir, '..', 'climbing.tar.gz');
      const climb = `../../../../${ESCAPE}`;
      expect(dirname(landing(climb))).toBe(dirname(resolve(config.dataDir)));
      const transform = `s,^evil\\.txt$,${climb},`;
      await promisify(execFile)('tar', ['-czPf', out, `--transform=${transform}`, 'marquee-plugin.json', 'evil.txt'], { cwd: dir });
      const res = await http()
        .post('/api/v1/plugins')
        .set(bearer(admin))
        .set('Content-Type', 'application/gzip')
        .send(readFileSync(out))
        .expect(400);
      expect(res.body.detail).toBe(`The archive entry "${climb}" has a ".." segment; the archive is refused`);
      expect(existsSync(landing(climb))).toBe(false);
      expect(copiesOf(ESCAPE)).toEqual([]);
      expect(leftovers().filter((name) => name.startsWith('.staging-'))).toEqual([]);
    });

    it('refuses one holding a symlink', async () => {
      const dir = copyExample('catalogue');
      symlinkSync('/etc/passwd', join(dir, 'passwd'));
      const res = await http()
        .post('/api/v1/plugins')
        .set(bearer(admin))
        .set('Content-Type', 'application/gzip')
        .send(await tarGz(dir))
        .expect(400);
      expect(res.body.detail).toBe('The archive entry "passwd" is a symlink, link or special file; the archive is refused');
    });
  });

  describe('invalid manifests are refused with the reasons', () => {
    it('lists every schema violation', async () => {
      const dir = writePlugin(
        { id: 'NotReverseDns', name: '', version: 'one', capabilities: ['scrape:everything'], entry: '../outside.js', extra: true },
        {},
      );
      const res = await http().post('/api/v1/plugins').set(bearer(admin)).send({ folder: dir }).expect(400);
      expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      const messages = (res.body.errors as { field: string; message: string }[]).map((error) => error.message);
      expect(messages).toEqual(
        expect.arrayContaining([
          'the manifest has an unknown property "extra"',
          'id has an invalid format (reverse-DNS style in lower case with at least one dot, e.g. "org.example.catalogue")',
          'name must NOT have fewer than 1 characters',
          'version has an invalid format (a semantic version such as "1.0.0")',
          'entry has an invalid format (a relative path inside the plugin, without ".." or a leading "/")',
          expect.stringMatching(/^capabilities\[0\] must be one of: "identify", "scrape:movie"/),
        ]),
      );
      expect(res.body.detail).toMatch(/^Invalid plugin: /);
    });

    it('needs an entry or scrapers, and names missing fields', async () => {
      const res = await http()
        .post('/api/v1/plugins')
        .set(bearer(admin))
        .send({ folder: writePlugin({ id: 'org.example.nothing', version: '1.0.0', capabilities: ['identify'] }, {}) })
        .expect(400);
      expect(res.body.errors.map((e: { message: string }) => e.message)).toEqual(
        expect.arrayContaining(['name is required', 'a plugin needs an "entry" to run or "scrapers" definitions (or both)']),
      );
    });

    it('checks the files it names: entry present, executables executable, scraper definitions valid', async () => {
      const dir = writePlugin(
        {
          id: 'org.example.files',
          name: 'Files',
          version: '1.0.0',
          capabilities: ['identify'],
          entry: 'run.sh',
          scrapers: ['missing.json', 'broken.json'],
        },
        { 'run.sh': { data: '#!/bin/sh\n', mode: 0o644 }, 'broken.json': JSON.stringify({ name: 'x', kinds: ['movies'] }) },
      );
      const res = await http().post('/api/v1/plugins').set(bearer(admin)).send({ folder: dir }).expect(400);
      const messages = res.body.errors.map((e: { message: string }) => e.message);
      expect(messages).toEqual(
        expect.arrayContaining([
          'entry "run.sh" is not executable (chmod +x, or "runtime": "node")',
          'missing.json is missing',
          'scrapers[1].search is required',
          expect.stringMatching(/^scrapers\[1\]\.kinds\[0\] must be one of: "movie", "series", "episode", "music"/),
        ]),
      );
    });

    it('refuses a manifest that is not JSON', async () => {
      const dir = writePlugin({}, {});
      writeFileSync(join(dir, 'marquee-plugin.json'), '{ "id": ');
      const res = await http().post('/api/v1/plugins').set(bearer(admin)).send({ folder: dir }).expect(400);
      expect(res.body.detail).toMatch(/^Invalid plugin: marquee-plugin.json is not valid JSON/);
    });
  });

  describe('from a server folder', () => {
    afterAll(() => remove(EXAMPLE_ID));

    it('copies the folder into the data dir', async () => {
      const res = await http()
        .post('/api/v1/plugins')
        .set(bearer(admin))
        .send({ folder: join(EXAMPLES, 'catalogue') })
        .expect(201);
      expect(res.body).toMatchObject({ id: EXAMPLE_ID, source: 'folder', enabled: false });
      expect(existsSync(join(installedDir(EXAMPLE_ID), 'index.mjs'))).toBe(true);
    });

    it('refuses relative paths, missing folders, folders holding symlinks and unknown body fields', async () => {
      const post = (body: object) => http().post('/api/v1/plugins').set(bearer(admin)).send(body).expect(400);
      expect((await post({ folder: 'plugins/examples/catalogue' })).body.detail).toBe(
        'folder "plugins/examples/catalogue" must be an absolute path',
      );
      expect((await post({ folder: '/nonexistent/plugin' })).body.detail).toBe(
        'folder "/nonexistent/plugin" is not a directory on the server',
      );
      expect((await post({ folder: config.dataDir })).body.detail).toContain("is inside the server's data directory");
      const dir = copyExample('catalogue');
      symlinkSync('/etc', join(dir, 'etc'));
      expect((await post({ folder: dir })).body.detail).toBe(
        '"etc" in the plugin folder is a symlink or special file; the folder is refused',
      );
      const unknown = await post({ folder: dir, overwrite: true });
      expect(unknown.body.errors).toEqual([{ field: 'overwrite', message: 'property overwrite should not exist' }]);
    });
  });

  describe('enable, settings and secrets', () => {
    const id = 'org.example.settings';
    let dir: string;

    beforeAll(async () => {
      dir = copyExample('catalogue', (manifest) => {
        manifest.id = id;
        (manifest.settings as Record<string, Record<string, unknown>>).apiKey.required = true;
      });
      await http().post('/api/v1/plugins').set(bearer(admin)).send({ folder: dir }).expect(201);
    });
    afterAll(() => remove(id));

    const patch = (body: object) => http().patch(`/api/v1/plugins/${id}`).set(bearer(admin)).send(body);

    it('cannot be enabled while a required setting is missing', async () => {
      const res = await patch({ enabled: true }).expect(409);
      expect(res.body.detail).toBe(`Plugin ${id} cannot be enabled until its required settings are set: apiKey`);
      expect((await pluginRow(id))!.enabled).toBe(false);
    });

    it('checks values against the settings schema', async () => {
      const res = await patch({ settings: { language: 'de', remoteUrl: 42, colour: 'red' } }).expect(400);
      expect(res.body.errors).toEqual(
        expect.arrayContaining([
          { field: 'settings.language', message: 'settings.language must be one of: "en", "fr"' },
          { field: 'settings.remoteUrl', message: 'settings.remoteUrl must be a string' },
          { field: 'settings.colour', message: `settings.colour is not a setting of ${id} (it has: language, remoteUrl, apiKey)` },
        ]),
      );
      await patch({ enabled: 'yes' }).expect(400);
    });

    it('stores a secret encrypted with the data dir key and never returns it', async () => {
      const secret = 'sk-live-0123456789abcdef';
      const res = await patch({ settings: { apiKey: secret, language: 'fr' }, enabled: true }).expect(200);
      expect(res.body.enabled).toBe(true);
      expect(res.body.settings).toEqual({ language: 'fr', remoteUrl: null, apiKey: { set: true } });
      expect(JSON.stringify(res.body)).not.toContain(secret);
      const listed = await http().get('/api/v1/plugins').set(bearer(admin)).expect(200);
      expect(JSON.stringify(listed.body)).not.toContain(secret);

      const row = (await pluginRow(id))!;
      expect(JSON.stringify(row)).not.toContain(secret);
      expect(row.secrets.apiKey).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
      expect(row.settings).toEqual({ language: 'fr' });
      const keyFile = join(config.dataDir, 'secrets', 'plugin-secrets.key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64url')).toHaveLength(32);
    });

    it('a sealed secret moved to another setting does not open', async () => {
      const { SecretBox } = await import('../../libs/plugins/src/index.js');
      const box = api.get(SecretBox);
      const row = (await pluginRow(id))!;
      expect(JSON.parse(box.open(row.secrets.apiKey, `plugin:${id}:setting:apiKey`))).toBe('sk-live-0123456789abcdef');
      expect(() => box.open(row.secrets.apiKey, `plugin:${id}:setting:other`)).toThrow('could not be opened');
    });

    it('reinstalling keeps settings and the enabled state; clearing a required secret disables nothing silently', async () => {
      await http().post('/api/v1/plugins').set(bearer(admin)).send({ folder: dir }).expect(201);
      const row = (await pluginRow(id))!;
      expect(row.enabled).toBe(true);
      expect(row.settings).toEqual({ language: 'fr' });
      expect(Object.keys(row.secrets)).toEqual(['apiKey']);
      const res = await patch({ settings: { apiKey: null } }).expect(409);
      expect(res.body.detail).toContain('required settings are set: apiKey');
      await patch({ enabled: false, settings: { apiKey: null } }).expect(200);
      expect((await pluginRow(id))!.secrets).toEqual({});
    });

    it('removes the plugin, its settings and files', async () => {
      await remove(id).expect(204);
      expect(await pluginRow(id)).toBeUndefined();
      expect(existsSync(installedDir(id))).toBe(false);
      const again = await remove(id).expect(404);
      expect(again.body.detail).toBe(`No plugin "${id}" is installed`);
      await http().patch(`/api/v1/plugins/${id}`).set(bearer(admin)).send({ enabled: true }).expect(404);
    });
  });

  it('the network policy refuses private networks until an admin allows them', async () => {
    expect((await http().get('/api/v1/plugins/network-policy').set(bearer(admin)).expect(200)).body).toEqual({
      allowPrivateNetworks: false,
      allowedPrivateHosts: [],
    });
    await http().patch('/api/v1/plugins/network-policy').set(bearer(user)).send({ allowPrivateNetworks: true }).expect(403);
    await http().patch('/api/v1/plugins/network-policy').set(bearer(admin)).send({ allowPrivateNetworks: 'yes' }).expect(400);
    expect(
      (await http().patch('/api/v1/plugins/network-policy').set(bearer(admin)).send({ allowPrivateNetworks: true }).expect(200)).body,
    ).toEqual({
      allowPrivateNetworks: true,
      allowedPrivateHosts: [],
    });
    await http().patch('/api/v1/plugins/network-policy').set(bearer(admin)).send({ allowPrivateNetworks: false }).expect(200);
    expect(
      (
        await http()
          .patch('/api/v1/plugins/network-policy')
          .set(bearer(admin))
          .send({ allowedPrivateHosts: ['metadata.lan:8080', '*.lan', '[fd00::5]'] })
          .expect(200)
      ).body,
    ).toEqual({ allowPrivateNetworks: false, allowedPrivateHosts: ['metadata.lan:8080', '*.lan', '[fd00::5]'] });
    await http().patch('/api/v1/plugins/network-policy').set(bearer(admin)).send({ allowedPrivateHosts: [] }).expect(200);
  });
});
