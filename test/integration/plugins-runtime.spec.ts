import { rmSync } from 'node:fs';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import request from 'supertest';
import type { AppConfig } from '../../libs/core/src/index.js';
import { PluginJobs } from '../../libs/plugins/src/index.js';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { availableQueueBackends, testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';
import { writePlugin } from './plugins-packages.js';

/** A Node plugin whose index.mjs gets the call message and does `body` with it. */
const nodePlugin = (id: string, body: string, limits: Record<string, number> = {}, extra: Record<string, unknown> = {}) =>
  writePlugin(
    { id, name: id, version: '1.0.0', entry: 'index.mjs', capabilities: ['identify'], limits: { timeoutSeconds: 5, ...limits }, ...extra },
    {
      'index.mjs': `import { createInterface } from 'node:readline';
const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
createInterface({ input: process.stdin }).once('line', async (line) => {
  const call = JSON.parse(line);
  ${body}
}).on('close', () => process.exit(0));
`,
    },
  );

const shellPlugin = (id: string, script: string, limits: Record<string, number> = {}) =>
  writePlugin(
    { id, name: id, version: '1.0.0', entry: 'run.sh', capabilities: ['identify'], limits: { timeoutSeconds: 5, ...limits } },
    { 'run.sh': { data: `#!/bin/sh\n${script}\n`, mode: 0o755 } },
  );

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.each(availableQueueBackends())('plugin runtime on the %s queue backend', (backend) => {
  let db: ScratchDatabase;
  let config: AppConfig;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let admin: TestAccount;
  let sql: pg.Client;

  const http = () => request(api.getHttpServer());
  async function install(dir: string, settings?: Record<string, unknown>): Promise<void> {
    const { body } = await http().post('/api/v1/plugins').set(bearer(admin)).send({ folder: dir }).expect(201);
    await http().patch(`/api/v1/plugins/${body.id}`).set(bearer(admin)).send({ enabled: true, settings }).expect(200);
  }
  async function call(id: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const [row] = (await sql.query(`SELECT id, name, manifest FROM plugins WHERE id = $1`, [id])).rows;
    return api.get(PluginJobs).call(row, 'identify', params, 'test');
  }
  const runs = async (id: string) =>
    (
      await sql.query(
        `SELECT id, queue, name, state, error, "targetLabel", attempts FROM job_runs WHERE "targetId" = $1 ORDER BY "createdAt"`,
        [id],
      )
    ).rows;
  const logs = async (jobId: string) =>
    (await sql.query(`SELECT level, message FROM job_logs WHERE "jobId" = $1 ORDER BY id`, [jobId])).rows as {
      level: string;
      message: string;
    }[];

  beforeAll(async () => {
    db = await createScratchDatabase();
    config = testConfig({ queueBackend: backend, env: { DATABASE_URL: db.url } });
    api = await startApi(config);
    worker = await startWorker(config);
    ({ admin } = await seedAccounts(api));
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await worker?.close();
    await api?.close();
    await db?.drop();
    if (config?.dataDir) rmSync(config.dataDir, { recursive: true, force: true });
  });

  it('runs a plugin as a plugin-run job: settings (secrets opened) on stdin, a minimal environment, its own folder only', async () => {
    const id = 'org.test.env';
    await install(
      nodePlugin(
        id,
        `let denied = null;
  try { (await import('node:fs')).readFileSync('/etc/hostname'); } catch (error) { denied = error.code; }
  send({ type: 'log', message: 'hello from the plugin' });
  send({ type: 'result', data: { method: call.method, params: call.params, settings: call.settings, env: Object.keys(process.env).sort(), cwd: process.cwd(), denied } });`,
        {},
        { settings: { region: { type: 'string', default: 'eu' }, token: { type: 'string', secret: true } } },
      ),
      { token: 't0ps3cret' },
    );
    const answer = (await call(id, { query: { title: 'Alien' } })) as Record<string, unknown>;
    expect(answer).toMatchObject({
      method: 'identify',
      params: { query: { title: 'Alien' } },
      settings: { region: 'eu', token: 't0ps3cret' },
      cwd: `${config.dataDir}/plugins/${id}`,
      denied: 'ERR_ACCESS_DENIED',
    });
    // No DATABASE_URL, JWT secret, REDIS_URL or anything else of the server's.
    expect(answer.env).toEqual(['HOME', 'LANG', 'MARQUEE_PLUGIN_ID', 'PATH']);
    const [run] = await runs(id);
    expect(run).toMatchObject({ queue: 'plugin-run', name: 'identify', state: 'completed', targetLabel: `${id} · test` });
    const lines = await logs(run.id);
    expect(lines.map((line) => line.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^started org\.test\.env 1\.0\.0 \(node, pid \d+\) for "identify"$/),
        '[plugin] hello from the plugin',
      ]),
    );
    expect(JSON.stringify(lines)).not.toContain('t0ps3cret');
  });

  it('runs any executable (a shell script) over the same protocol', async () => {
    await install(shellPlugin('org.test.shell', `read line\necho '{"type":"result","data":{"shell":true}}'`));
    expect(await call('org.test.shell')).toEqual({ shell: true });
  });

  it('a plugin that hangs is stopped at its timeout, with everything it started', async () => {
    const id = 'org.test.hang';
    await install(
      shellPlugin(
        id,
        `sleep 300 &
echo "{\\"type\\":\\"log\\",\\"message\\":\\"child $!\\"}"
read line
sleep 300`,
        { timeoutSeconds: 1 },
      ),
    );
    const started = Date.now();
    await expect(call(id)).rejects.toThrow(`Plugin ${id} did not answer within 1 s and was stopped`);
    expect(Date.now() - started).toBeLessThan(8000);
    const [run] = await runs(id);
    expect(run).toMatchObject({ state: 'failed', error: `Plugin ${id} did not answer within 1 s and was stopped`, attempts: 1 });
    const child = Number(/child (\d+)/.exec((await logs(run.id)).map((line) => line.message).join('\n'))![1]);
    await waitFor(async () => (alive(child) ? undefined : true), `the plugin's child ${child} to be killed`, 5000);
  });

  it('a plugin that crashes fails its job with its exit code and stderr', async () => {
    const id = 'org.test.crash';
    await install(nodePlugin(id, `process.stderr.write('boom: the catalogue is corrupt\\n'); process.exit(3);`));
    await expect(call(id)).rejects.toThrow(`Plugin ${id} exited with code 3 before answering (stderr: boom: the catalogue is corrupt)`);
  });

  it('a plugin that prints garbage fails with the line it printed', async () => {
    const id = 'org.test.garbage';
    await install(nodePlugin(id, `process.stdout.write('Hello, world!\\n'); await new Promise((r) => setTimeout(r, 10000));`));
    await expect(call(id)).rejects.toThrow(`Plugin ${id} printed a line that is not JSON: "Hello, world!"`);
    const other = 'org.test.unknown-message';
    await install(nodePlugin(other, `send({ type: 'shout', message: 'hi' });`));
    await expect(call(other)).rejects.toThrow(`Plugin ${other} sent a message of unknown type "shout"`);
  });

  it('a plugin that prints too much is stopped at the output limit', async () => {
    const id = 'org.test.huge';
    await install(
      nodePlugin(
        id,
        `for (let i = 0; i < 100; i++) send({ type: 'log', message: 'x'.repeat(10000) }); await new Promise((r) => setTimeout(r, 10000));`,
        { maxOutputKb: 64 },
      ),
    );
    await expect(call(id)).rejects.toThrow(`Plugin ${id} printed more than 64 KiB and was stopped`);
  });

  it('a plugin that eats memory dies at its memory limit', async () => {
    const id = 'org.test.memory';
    await install(
      nodePlugin(id, `const hog = []; for (;;) hog.push(new Array(100000).fill(Math.random()));`, { memoryMb: 32, timeoutSeconds: 30 }),
    );
    await expect(call(id)).rejects.toThrow(new RegExp(`^Plugin ${id.replace(/\./g, '\\.')} ran out of memory \\(limit 32 MiB\\)`));
  });

  it("a plugin's own error is reported as such", async () => {
    const id = 'org.test.refuses';
    await install(nodePlugin(id, `send({ type: 'error', message: 'no catalogue for this language' });`));
    await expect(call(id)).rejects.toThrow(`Plugin ${id} reported an error: no catalogue for this language`);
  });

  it('harms nothing else: the worker keeps running plugins, a disabled plugin does not run', async () => {
    expect(await call('org.test.shell')).toEqual({ shell: true });
    await http().patch('/api/v1/plugins/org.test.shell').set(bearer(admin)).send({ enabled: false }).expect(200);
    await expect(call('org.test.shell')).rejects.toThrow('Plugin org.test.shell is disabled');
    // The dashboard's API shows every run with its reason.
    const failed = await http().get('/api/v1/jobs?queue=plugin-run&state=failed&limit=100').set(bearer(admin)).expect(200);
    expect(failed.body.total).toBeGreaterThanOrEqual(8);
    expect(failed.body.items.map((job: { error: string }) => job.error)).toEqual(
      expect.arrayContaining(['Plugin org.test.hang did not answer within 1 s and was stopped', 'Plugin org.test.shell is disabled']),
    );
  });
});
