// bench/stream-range: range requests against Marquee's direct play (`GET /api/v1/stream/:itemId?st=`, the
// real api process: the request lane with its token and account check, catalogue lookup, open + fstat,
// validators, range planning, backpressured reads) side by side with nginx serving the same file, in the
// same run. Both servers get one process: Marquee is one Node process, nginx runs with `master_process off`
// (one worker), sendfile on, access log off (Marquee's api logs at warn, so no access log either). A bare
// node:http server of the same file (bench/lib/bare-range-server.mjs) runs too, as what any Node process
// can do. Two clients load them in turn: this process (keep-alive node:http, every response checked) and,
// when installed, wrk (C, one thread, status codes checked), which shows what the servers can do once the
// client is not the limit. The servers take turns on each scenario, in rounds, and each ratio is taken
// within its round. Run: `npm run bench:stream` (CLIENTS=100 DURATION=5 ROUNDS=3 FILE_MB=64 to change
// sizes, RANGES_KIB=16,1024 for some of the range sizes, CLIENT=node or CLIENT=wrk for one client;
// DATABASE_URL to use a server, else an embedded PostgreSQL). Without nginx on PATH the reference is skipped.
import { Buffer } from 'node:buffer';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { benchDatabase } from './lib/bench-database.mjs';

const dist = (path) => new URL(`../dist/${path}`, import.meta.url).href;
const { StreamTokenService } = await import(dist('libs/auth/src/tokens/stream-token.service.js'));

const CLIENTS = Number(process.env.CLIENTS ?? 100);
const DURATION_MS = Number(process.env.DURATION ?? 5) * 1000;
const WARMUP_MS = 1000;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const FILE_BYTES = Number(process.env.FILE_MB ?? 64) * 1024 * 1024;
const SCENARIOS = [
  // What a player's open range (`bytes=N-`) amounts to between two seeks: long reads of the file.
  { label: '8 MiB ranges', length: 8 * 1024 * 1024 },
  { label: '1 MiB ranges', length: 1024 * 1024 },
  { label: '256 KiB ranges', length: 256 * 1024 },
  { label: '16 KiB ranges', length: 16 * 1024 },
].filter(
  (scenario) =>
    !process.env.RANGES_KIB ||
    process.env.RANGES_KIB.split(',')
      .map(Number)
      .includes(scenario.length / 1024),
);
const CLOCK_TICKS = 100;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(port, path, child) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before it answered`);
    const ok = await new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode !== undefined);
      });
      req.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`nothing answered on port ${port}`);
}

/** User + system CPU seconds of a process so far. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function nginxBinary() {
  for (const candidate of ['nginx', '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) {
    try {
      execFileSync(candidate, ['-v'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

async function startNginx(binary, root, fileName) {
  const prefix = mkdtempSync(join(tmpdir(), 'marquee-bench-nginx-'));
  const port = await freePort();
  const temp = (name) => `${name} ${join(prefix, name)};`;
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `daemon off;
master_process off;
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  ${['client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path'].map(temp).join('\n  ')}
  types { video/x-matroska mkv; }
  server {
    listen 127.0.0.1:${port};
    location = /${fileName} { root "${root}"; }
  }
}
`,
  );
  const child = spawn(binary, ['-e', 'stderr', '-p', prefix, '-c', join(prefix, 'nginx.conf')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitForHttp(port, `/${fileName}`, child);
  return {
    port,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

async function startBareNode(filePath) {
  const port = await freePort();
  const child = spawn(process.execPath, [new URL('./lib/bare-range-server.mjs', import.meta.url).pathname, String(port), filePath], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitForHttp(port, '/', child);
  return {
    port,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}

async function startMarquee(databaseUrl, jwtSecret) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'marquee-bench-data-'));
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    MARQUEE_DATA_DIR: dataDir,
    JWT_SECRET: jwtSecret,
    LOG_LEVEL: 'warn',
    MARQUEE_WATCH: 'false',
  };
  // The PostgreSQL queue backend, and no library folders from the environment.
  delete env.REDIS_URL;
  delete env.MARQUEE_MEDIA_DIRS;
  const child = spawn(process.execPath, [new URL('../dist/apps/api/main.js', import.meta.url).pathname], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitForHttp(port, '/healthz', child);
  return {
    port,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One range request; resolves with the body length after checking the status and Content-Range. */
function rangeRequest(agent, port, path, start, end, size, keep) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, headers: { Range: `bytes=${start}-${end}` } }, (res) => {
      if (res.statusCode !== 206 || res.headers['content-range'] !== `bytes ${start}-${end}/${size}`) {
        res.resume();
        reject(new Error(`expected 206 bytes ${start}-${end}/${size}, got ${res.statusCode} ${res.headers['content-range']}`));
        return;
      }
      let received = 0;
      const chunks = keep ? [] : undefined;
      res.on('data', (chunk) => {
        received += chunk.length;
        chunks?.push(chunk);
      });
      res.on('end', () => resolve(keep ? Buffer.concat(chunks) : received));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** CLIENTS keep-alive connections, each sending random ranges of `length` bytes back to back for `ms`. */
async function load(server, path, size, length, ms) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const latencies = [];
  let bytes = 0;
  const started = performance.now();
  const deadline = started + ms;
  const cpuBefore = cpuSeconds(server.pid);
  const clientCpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        const start = Math.floor(Math.random() * (size - length));
        const sent = performance.now();
        const received = await rangeRequest(agent, server.port, path, start, start + length - 1, size, false);
        latencies.push(performance.now() - sent);
        bytes += received;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    requests: latencies.length,
    mibPerSecond: bytes / 2 ** 20 / seconds,
    rps: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    cpu: cpu / seconds,
    clientCpu: (clientCpu.user + clientCpu.system) / 1e6 / seconds,
  };
}

/** User + system CPU seconds of this process's children that have ended (wrk, once waited for). */
function endedChildrenCpuSeconds() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

function wrkBinary() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return 'wrk';
  } catch (error) {
    // wrk prints its version and exits 1.
    return error.status === 1 ? 'wrk' : undefined;
  }
}

/** The same load from wrk (C, one thread): what the servers can do once the client is not the limit. */
async function loadWithWrk(server, path, size, length, ms) {
  const cpuBefore = cpuSeconds(server.pid);
  const clientCpuBefore = endedChildrenCpuSeconds();
  const started = performance.now();
  const output = await new Promise((resolve, reject) => {
    const child = spawn(
      'wrk',
      [
        '-t1',
        `-c${CLIENTS}`,
        `-d${Math.round(ms / 1000)}s`,
        '--timeout',
        '60s',
        '--latency',
        '-s',
        new URL('./lib/random-ranges.lua', import.meta.url).pathname,
        `http://127.0.0.1:${server.port}${path}`,
      ],
      { env: { ...process.env, FILE_BYTES: String(size), RANGE_LENGTH: String(length) }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}: ${text}`))));
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  const clientCpu = endedChildrenCpuSeconds() - clientCpuBefore;
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  if (errors || /Socket errors/.test(output)) throw new Error(`wrk saw failed requests:\n${output}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)[1]);
  const latency = (q) => {
    const [, value, unit] = new RegExp(`${q}%\\s+([\\d.]+)(us|ms|s)`).exec(output);
    return Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
  };
  return {
    requests: Math.round(rps * (ms / 1000)),
    mibPerSecond: (rps * length) / 2 ** 20,
    rps,
    p50: latency(50),
    p99: latency(99),
    cpu: cpu / seconds,
    clientCpu: clientCpu / seconds,
  };
}

async function verify(server, path, file) {
  const agent = new http.Agent({ keepAlive: false });
  for (const [start, end] of [
    [0, 1023],
    [file.length - 4096, file.length - 1],
    [12345, 12345 + 100_000],
  ]) {
    const body = await rangeRequest(agent, server.port, path, start, end, file.length, true);
    if (!body.equals(file.subarray(start, end + 1))) throw new Error(`${path}: bytes ${start}-${end} differ from the file`);
  }
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main() {
  const media = mkdtempSync(join(tmpdir(), 'marquee-bench-media-'));
  const folder = join(media, 'library', 'Bench (2024)');
  mkdirSync(folder, { recursive: true });
  const fileName = 'bench.mkv';
  const filePath = join(folder, fileName);
  const file = randomBytes(FILE_BYTES);
  writeFileSync(filePath, file);
  const stats = statSync(filePath);

  const db = await benchDatabase();
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const jwtSecret = randomBytes(32).toString('hex');
  const {
    rows: [user],
  } = await sql.query(`INSERT INTO users (username, "passwordHash", role) VALUES ('bench', 'x', 'user') RETURNING id`);
  const {
    rows: [library],
  } = await sql.query(`INSERT INTO libraries (name, kind, folders) VALUES ('Bench', 'movies', $1) RETURNING id`, [
    [join(media, 'library')],
  ]);
  const {
    rows: [item],
  } = await sql.query(`INSERT INTO media_items ("libraryId", type, title) VALUES ($1, 'movie', 'Bench') RETURNING id`, [library.id]);
  await sql.query(
    `INSERT INTO media_files ("itemId", "libraryId", path, folder, category, size, mtime, container) VALUES ($1, $2, $3, $4, 'video', $5, $6, 'mkv')`,
    [item.id, library.id, filePath, folder, stats.size, stats.mtime],
  );
  await sql.end();
  const token = new StreamTokenService({ jwtSecret }).sign(user.id, item.id, 3600);
  const marqueePath = `/api/v1/stream/${item.id}?st=${encodeURIComponent(token)}`;

  const nginxPath = nginxBinary();
  const servers = [
    { name: 'Marquee', start: () => startMarquee(db.url, jwtSecret), path: marqueePath },
    { name: 'bare Node', start: () => startBareNode(filePath), path: `/${fileName}` },
  ];
  if (nginxPath) servers.push({ name: 'nginx', start: () => startNginx(nginxPath, folder, fileName), path: `/${fileName}` });
  else console.log('nginx is not installed (apt-get install -y nginx-light): the nginx reference is skipped.');

  console.log(
    `bench/stream-range: ${FILE_BYTES / 2 ** 20} MiB file (sha256 ${createHash('sha256').update(file).digest('hex').slice(0, 12)}…), ${CLIENTS} keep-alive clients, ${DURATION_MS / 1000} s per run, ${ROUNDS} rounds, random ranges`,
  );
  const only = process.env.CLIENT;
  const clients = only === 'wrk' ? [] : [{ name: 'node', label: 'the Node client (this process; every response checked)', load }];
  if (only === 'node') console.log('CLIENT=node: wrk is not run.');
  else if (wrkBinary()) clients.push({ name: 'wrk', label: 'wrk (C, one thread; status codes checked)', load: loadWithWrk });
  else console.log('wrk is not installed (apt-get install -y wrk): the second client is skipped.');
  const results = [];
  const running = [];
  try {
    for (const server of servers) {
      const started = await server.start();
      running.push({ ...server, running: started });
      await verify(started, server.path, file);
    }
    // Rounds, and within a round the servers one after the other on each scenario: a machine that gets
    // slower or faster during the run shifts all three alike, and each ratio is taken within its round.
    for (let round = 1; round <= ROUNDS; round++) {
      for (const client of clients) {
        for (const scenario of SCENARIOS) {
          for (const server of running) {
            await client.load(server.running, server.path, FILE_BYTES, scenario.length, WARMUP_MS);
            const result = await client.load(server.running, server.path, FILE_BYTES, scenario.length, DURATION_MS);
            results.push({ round, client: client.name, server: server.name, scenario: scenario.label, ...result });
          }
        }
      }
      console.log(`round ${round} of ${ROUNDS} done`);
    }
  } finally {
    for (const server of running) await server.running.stop();
    await db.drop();
    rmSync(media, { recursive: true, force: true });
  }

  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  };
  for (const client of clients) {
    console.log(
      `\nClient: ${client.label}. Medians of ${ROUNDS} rounds; "vs nginx" is the median of the rounds' ratios (MiB/s), with their range.`,
    );
    console.log('\n| scenario | server | req/s | MiB/s | p50 ms | p99 ms | server CPU | client CPU | vs nginx |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const scenario of SCENARIOS) {
      for (const server of servers) {
        const runs = results.filter((r) => r.client === client.name && r.scenario === scenario.label && r.server === server.name);
        const of = (key) => median(runs.map((r) => r[key]));
        const ratios = runs.flatMap((r) => {
          const reference = results.find(
            (x) => x.client === client.name && x.server === 'nginx' && x.scenario === scenario.label && x.round === r.round,
          );
          return reference && server.name !== 'nginx' ? [r.mibPerSecond / reference.mibPerSecond] : [];
        });
        const ratio = ratios.length ? `${fmt(median(ratios), 2)}× (${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)})` : '—';
        console.log(
          `| ${scenario.label} | ${server.name} | ${fmt(of('rps'))} | ${fmt(of('mibPerSecond'))} | ${fmt(of('p50'), 1)} | ${fmt(of('p99'), 1)} | ${fmt(of('cpu') * 100)} % | ${fmt(of('clientCpu') * 100)} % | ${ratio} |`,
        );
      }
    }
  }
}

await main();
