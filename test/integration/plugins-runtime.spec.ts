import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import request from 'supertest';
import type { AppConfig } from '../../libs/core/src/index.js';
import { PluginJobs } from '../../libs/plugins/src/index.js';
import { probeBwrap } from '../../libs/plugins/src/runtime/bwrap-probe.js';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { availableQueueBackends, type QueueBackendUnderTest, testConfig } from '../helpers/test-config.js';
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

const shellPlugin = (
  id: string,
  script: string,
  limits: Record<string, number> = {},
  files: Record<string, string> = {},
  shell = '/bin/sh',
) =>
  writePlugin(
    { id, name: id, version: '1.0.0', entry: 'run.sh', capabilities: ['identify'], limits: { timeoutSeconds: 5, ...limits } },
    { 'run.sh': { data: `#!${shell}\n${script}\n`, mode: 0o755 }, ...files },
  );

/** A Node plugin that tries to open a TCP connection itself, not through the server's fetch. */
const connectingPlugin = (id: string, port: number) =>
  nodePlugin(
    id,
    `const net = await import('node:net');
  const outcome = await new Promise((resolve) => {
    const socket = net.connect(${port}, '127.0.0.1', () => { socket.end(); resolve({ connected: true }); });
    socket.on('error', (error) => resolve({ connected: false, code: error.code }));
  });
  send({ type: 'result', data: outcome });`,
  );

/** A plugin that starts a child in a session of its own (out of its process group), then answers a second later. */
const setsidPlugin = (id: string, marker: string) =>
  shellPlugin(id, `setsid sleep ${marker} &\nread line\nsleep 1\necho '{"type":"result","data":{"done":true}}'`);

/** A unique argument for `sleep`, so the test finds its process on the host (inside the sandbox pids differ). */
const sleepMarker = () => String(100_000 + Math.floor(Math.random() * 800_000));

/** Host pids of the processes running exactly `args`. */
function hostPids(args: string[]): number[] {
  const wanted = `${args.join('\0')}\0`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/cmdline`, 'utf8') === wanted;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A loopback TCP server counting the connections it gets. */
async function startTcpServer(): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0, connections: () => count };
}

const PLUGIN_ENV_KEYS = ['HOME', 'LANG', 'MARQUEE_PLUGIN_ID', 'PATH', 'PWD'];
const envKeys = (environ: string) =>
  environ
    .split('\0')
    .filter(Boolean)
    .map((entry) => entry.slice(0, entry.indexOf('=')));
const fromBase64 = (value: string) => Buffer.from(value, 'base64').toString('utf8');

// CI installs bubblewrap: there the sandbox tests must run, never skip.
const bwrap = await probeBwrap();
const skipReason = !bwrap.usable && !process.env.CI ? bwrap.reason : undefined;
const describeSandboxed = skipReason ? describe.skip : describe; // skipped only off CI when bwrap is unusable; the title says why
const sandboxTitle = `in the bubblewrap sandbox${skipReason ? ` (skipped: ${skipReason})` : ''}`;

/** Running (a zombie, killed and waiting for its parent to reap it, is not). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/**
 * An api and a worker on a scratch database for the tests of one describe (started in its beforeAll,
 * stopped in its afterAll), with the calls those tests share.
 */
function pluginRuntime(options: { queueBackend?: QueueBackendUnderTest; env?: Record<string, string> } = {}) {
  let db: ScratchDatabase;
  let config: AppConfig;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let admin: TestAccount;
  let sql: pg.Client;

  beforeAll(async () => {
    db = await createScratchDatabase();
    config = testConfig({ queueBackend: options.queueBackend, env: { DATABASE_URL: db.url, ...options.env } });
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

  const http = () => request(api.getHttpServer());
  return {
    get config() {
      return config;
    },
    get admin() {
      return admin;
    },
    http,
    async install(dir: string, settings?: Record<string, unknown>): Promise<void> {
      const { body } = await http().post('/api/v1/plugins').set(bearer(admin)).send({ folder: dir }).expect(201);
      await http().patch(`/api/v1/plugins/${body.id}`).set(bearer(admin)).send({ enabled: true, settings }).expect(200);
    },
    async call(id: string, params: Record<string, unknown> = {}): Promise<unknown> {
      const [row] = (await sql.query(`SELECT id, name, manifest FROM plugins WHERE id = $1`, [id])).rows;
      return api.get(PluginJobs).call(row, 'identify', params, 'test');
    },
    async runs(id: string) {
      const { rows } = await sql.query(
        `SELECT id, queue, name, state, error, "targetLabel", attempts FROM job_runs WHERE "targetId" = $1 ORDER BY "createdAt"`,
        [id],
      );
      return rows;
    },
    async logs(jobId: string) {
      const { rows } = await sql.query(`SELECT level, message FROM job_logs WHERE "jobId" = $1 ORDER BY id`, [jobId]);
      return rows as { level: string; message: string }[];
    },
  };
}

describe.each(availableQueueBackends())('plugin runtime on the %s queue backend', (backend) => {
  const runtime = pluginRuntime({ queueBackend: backend });
  const { http, install, call, runs, logs } = runtime;

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
      cwd: `${runtime.config.dataDir}/plugins/${id}`,
      denied: 'ERR_ACCESS_DENIED',
    });
    // No DATABASE_URL, JWT secret, REDIS_URL or anything else of the server's.
    expect(answer.env).toEqual(['HOME', 'LANG', 'MARQUEE_PLUGIN_ID', 'PATH', 'PWD']);
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

  it("keeps a secret setting out of the job's log, even where the plugin puts it in a URL or prints it", async () => {
    const id = 'org.test.leaky';
    const secret = 'k3y-' + randomUUID();
    await install(
      writePlugin(
        {
          id,
          name: id,
          version: '1.0.0',
          entry: 'index.mjs',
          capabilities: ['identify'],
          limits: { timeoutSeconds: 5 },
          permissions: { hosts: ['metadata.invalid'] },
          settings: { apiKey: { type: 'string', secret: true } },
        },
        {
          'index.mjs': `import { createInterface } from 'node:readline';
const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line);
  if (message.type === 'call') {
    send({ type: 'log', message: 'using key ' + message.settings.apiKey });
    send({ type: 'fetch', id: '1', url: 'http://127.0.0.1:9/v1/' + message.settings.apiKey + '/search', headers: {} });
  } else if (message.type === 'fetch-result') {
    send({ type: 'result', data: { fetchError: message.error ?? null } });
  }
}).on('close', () => process.exit(0));
`,
        },
      ),
      { apiKey: secret },
    );
    const answer = (await call(id)) as { fetchError: string | null };
    expect(answer.fetchError).toEqual(expect.any(String));
    const [run] = await runs(id);
    const lines = (await logs(run.id)).map((line) => line.message);
    expect(lines).toEqual(expect.arrayContaining(['[plugin] using key ***', expect.stringMatching(/^fetch refused or failed: .*\*\*\*/)]));
    expect(JSON.stringify(lines)).not.toContain(secret);
  });

  const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((path) => existsSync(path));
  // Skipped where no python3 is installed; the title says so.
  (python ? it : it.skip)(
    `runs a Python script over the same protocol, its fetches through the server${python ? '' : ' (skipped: no python3)'}`,
    async () => {
      const id = 'org.test.python';
      const script = `import json, sys
call = json.loads(sys.stdin.readline())
print(json.dumps({"type": "log", "message": "python " + sys.version.split()[0]}), flush=True)
print(json.dumps({"type": "fetch", "id": "1", "url": "http://127.0.0.1:9/search?q=" + call["params"]["title"], "headers": {}}), flush=True)
reply = json.loads(sys.stdin.readline())
answered = reply.get("type") == "fetch-result" and reply.get("id") == "1"
print(json.dumps({"type": "result", "data": {"method": call["method"], "answered": answered, "refused": "error" in reply}}), flush=True)`;
      await install(
        writePlugin(
          { id, name: id, version: '1.0.0', entry: 'plugin.py', capabilities: ['identify'], limits: { timeoutSeconds: 10 } },
          { 'plugin.py': { data: `#!${python}\n${script}\n`, mode: 0o755 } },
        ),
      );
      // The fetch is answered (refused: 127.0.0.1:9 is no permitted host), so the script went through the host.
      expect(await call(id, { title: 'Alien' })).toEqual({ method: 'identify', answered: true, refused: true });
      const [run] = await runs(id);
      expect((await logs(run.id)).map((line) => line.message)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\[plugin\] python 3\./), expect.stringMatching(/^fetch refused or failed: /)]),
      );
    },
  );

  it('runs any executable (a shell script) over the same protocol', async () => {
    await install(shellPlugin('org.test.shell', `read line\necho '{"type":"result","data":{"shell":true}}'`));
    expect(await call('org.test.shell')).toEqual({ shell: true });
  });

  it('a plugin that hangs is stopped at its timeout, with everything it started', async () => {
    const id = 'org.test.hang';
    const marker = sleepMarker();
    await install(
      shellPlugin(
        id,
        `sleep ${marker} &
echo "{\\"type\\":\\"log\\",\\"message\\":\\"child $!\\"}"
read line
sleep 300`,
        { timeoutSeconds: 1 },
      ),
    );
    const started = Date.now();
    const running = call(id);
    // Inside the sandbox the plugin's pids are its own: the child is found on the host by its command line.
    const child = await waitFor(async () => hostPids(['sleep', marker])[0], "the plugin's child to start", 5000, 20);
    await expect(running).rejects.toThrow(`Plugin ${id} did not answer within 1 s and was stopped`);
    expect(Date.now() - started).toBeLessThan(8000);
    const [run] = await runs(id);
    expect(run).toMatchObject({ state: 'failed', error: `Plugin ${id} did not answer within 1 s and was stopped`, attempts: 1 });
    expect((await logs(run.id)).map((line) => line.message)).toContainEqual(expect.stringMatching(/^\[plugin\] child \d+$/));
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

  it('a plugin that fills memory outside its JS heap (Buffers) is stopped at its memory limit', async () => {
    const id = 'org.test.buffers';
    await install(
      nodePlugin(
        id,
        `const hog = [];
  for (let i = 0; i < 30; i++) { hog.push(Buffer.alloc(10 * 1024 * 1024, 1)); await new Promise((r) => setTimeout(r, 20)); }
  await new Promise((r) => setTimeout(r, 10000));
  send({ type: 'result', data: { rssMb: Math.round(process.memoryUsage().rss / 1048576) } });`,
        { memoryMb: 64, timeoutSeconds: 30 },
      ),
    );
    await expect(call(id)).rejects.toThrow(
      new RegExp(`^Plugin ${id.replace(/\./g, '\\.')} ran out of memory \\(limit 64 MiB\\): its processes held \\d+ MiB$`),
    );
  });

  it('a Node program run as an executable starts under the default memory limit', async () => {
    const id = 'org.test.node-executable';
    await install(
      writePlugin(
        { id, name: id, version: '1.0.0', entry: 'run', runtime: 'executable', capabilities: ['identify'], limits: { timeoutSeconds: 10 } },
        {
          run: {
            data: `#!/usr/bin/env node
process.stdin.once('data', () => { process.stdout.write(JSON.stringify({ type: 'result', data: { node: process.version } }) + '\\n'); process.exit(0); });
`,
            mode: 0o755,
          },
        },
      ),
    );
    expect(await call(id)).toEqual({ node: process.version });
  });

  it('nothing a plugin starts outlives its run, not even a child in a session of its own (setsid)', async () => {
    const id = 'org.test.setsid';
    const marker = sleepMarker();
    await install(setsidPlugin(id, marker));
    const running = call(id);
    const child = await waitFor(async () => hostPids(['sleep', marker])[0], "the plugin's setsid child to start", 5000, 20);
    expect(await running).toEqual({ done: true });
    await waitFor(async () => (alive(child) ? undefined : true), `the setsid child ${child} to be killed`, 5000);
  });

  describeSandboxed(sandboxTitle, () => {
    it('an executable plugin sees nothing of the server: no environment through /proc, no secrets, no other plugin, only its own folder, read-only', async () => {
      const id = 'org.test.confined';
      const secretFile = join(runtime.config.dataDir, 'secrets', 'jwt-secret');
      expect(existsSync(secretFile)).toBe(true);
      await install(
        shellPlugin(
          id,
          `read line
b() { base64 -w0 "$1" 2>/dev/null; }
if touch written 2>/dev/null; then writes=yes; else writes=no; fi
printf '{"type":"result","data":{"parentEnv":"%s","initEnv":"%s","secret":"%s","dataDir":"%s","plugins":"%s","own":"%s","writes":"%s"}}\\n' \\
  "$(b /proc/$PPID/environ)" "$(b /proc/1/environ)" "$(b ${secretFile})" \\
  "$(ls -A ${runtime.config.dataDir} 2>&1 | base64 -w0)" "$(ls -A ${runtime.config.dataDir}/plugins 2>&1 | base64 -w0)" "$(b own.txt)" "$writes"`,
          {},
          { 'own.txt': 'my own catalogue' },
        ),
      );
      const answer = (await call(id)) as Record<string, string>;
      for (const environ of [answer.parentEnv, answer.initEnv]) {
        const text = fromBase64(environ);
        expect(PLUGIN_ENV_KEYS).toEqual(expect.arrayContaining(envKeys(text)));
        if (process.env.DATABASE_URL) expect(text).not.toContain(process.env.DATABASE_URL);
      }
      expect(answer.secret).toBe('');
      expect(fromBase64(answer.dataDir).trim()).toBe('plugins');
      expect(fromBase64(answer.plugins).trim()).toBe(id);
      expect(fromBase64(answer.own)).toBe('my own catalogue');
      expect(answer.writes).toBe('no');
      // The other plugins installed by this suite are on disk, only not visible to it.
      expect(readdirSync(join(runtime.config.dataDir, 'plugins')).length).toBeGreaterThan(1);
    });

    it('an executable plugin cannot open a TCP connection, not even to loopback', async () => {
      const tcp = await startTcpServer();
      try {
        const id = 'org.test.bash-tcp';
        await install(
          shellPlugin(
            id,
            `read line
if exec 3<>/dev/tcp/127.0.0.1/${tcp.port}; then tcp=connected; else tcp=failed; fi
echo "{\\"type\\":\\"result\\",\\"data\\":{\\"tcp\\":\\"$tcp\\"}}"`,
            {},
            {},
            '/bin/bash',
          ),
        );
        expect(await call(id)).toEqual({ tcp: 'failed' });
        expect(tcp.connections()).toBe(0);
      } finally {
        tcp.server.close();
      }
    });

    it("a Node plugin cannot open a socket itself: the web only through the server's fetch", async () => {
      const tcp = await startTcpServer();
      try {
        await install(connectingPlugin('org.test.node-tcp', tcp.port));
        expect(await call('org.test.node-tcp')).toEqual({ connected: false, code: 'ECONNREFUSED' });
        expect(tcp.connections()).toBe(0);
      } finally {
        tcp.server.close();
      }
    });
  });

  it("a plugin's own error is reported as such", async () => {
    const id = 'org.test.refuses';
    await install(nodePlugin(id, `send({ type: 'error', message: 'no catalogue for this language' });`));
    await expect(call(id)).rejects.toThrow(`Plugin ${id} reported an error: no catalogue for this language`);
  });

  it('harms nothing else: the worker keeps running plugins, a disabled plugin does not run', async () => {
    expect(await call('org.test.shell')).toEqual({ shell: true });
    await http().patch('/api/v1/plugins/org.test.shell').set(bearer(runtime.admin)).send({ enabled: false }).expect(200);
    await expect(call('org.test.shell')).rejects.toThrow('Plugin org.test.shell is disabled');
    // The dashboard's API shows every run with its reason.
    const failed = await http().get('/api/v1/jobs?queue=plugin-run&state=failed&limit=100').set(bearer(runtime.admin)).expect(200);
    expect(failed.body.total).toBeGreaterThanOrEqual(8);
    expect(failed.body.items.map((job: { error: string }) => job.error)).toEqual(
      expect.arrayContaining(['Plugin org.test.hang did not answer within 1 s and was stopped', 'Plugin org.test.shell is disabled']),
    );
  });
});

describe('plugin runtime with MARQUEE_PLUGIN_SANDBOX=none', () => {
  const runtime = pluginRuntime({ env: { MARQUEE_PLUGIN_SANDBOX: 'none' } });
  const { install, call } = runtime;

  it("runs plugins without isolation, as configured: a plugin reaches the network itself, Node's permission model still applies", async () => {
    expect(runtime.config.pluginSandbox).toBe('none');
    const tcp = await startTcpServer();
    try {
      await install(connectingPlugin('org.test.unsandboxed-tcp', tcp.port));
      expect(await call('org.test.unsandboxed-tcp')).toEqual({ connected: true });
      expect(tcp.connections()).toBe(1);
    } finally {
      tcp.server.close();
    }
    await install(
      nodePlugin(
        'org.test.unsandboxed-fs',
        `let denied = null;
  try { (await import('node:fs')).readFileSync('/etc/hostname'); } catch (error) { denied = error.code; }
  send({ type: 'result', data: { denied } });`,
      ),
    );
    expect(await call('org.test.unsandboxed-fs')).toEqual({ denied: 'ERR_ACCESS_DENIED' });
  });

  it('nothing a plugin starts outlives its run, not even a child in a session of its own (setsid)', async () => {
    const id = 'org.test.unsandboxed-setsid';
    const marker = sleepMarker();
    await install(setsidPlugin(id, marker));
    const running = call(id);
    const child = await waitFor(async () => hostPids(['sleep', marker])[0], "the plugin's setsid child to start", 5000, 20);
    expect(await running).toEqual({ done: true });
    await waitFor(async () => (alive(child) ? undefined : true), `the setsid child ${child} to be killed`, 5000);
  });
});
