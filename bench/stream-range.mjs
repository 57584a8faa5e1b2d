// bench/stream-range: range requests against Marquee's direct play (`GET /api/v1/stream/:itemId?st=`, the
// real api process: auth guard, database lookup, stat, validators, range planning, backpressured reads)
// side by side with nginx serving the same file, in the same run, measured by the same keep-alive
// client (this process). Both servers get one process: Marquee is one Node process, nginx runs with
// `master_process off` (one worker), sendfile on, access log off (Marquee's api logs at warn, so no
// access log either). A bare node:http server of the same file (bench/lib/bare-range-server.mjs) runs
// too, as the ceiling of a Node process. Run: `npm run bench:stream` (CLIENTS=100 DURATION=5 FILE_MB=64 to change sizes;
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
const FILE_BYTES = Number(process.env.FILE_MB ?? 64) * 1024 * 1024;
const SCENARIOS = [
  { label: '1 MiB ranges', length: 1024 * 1024 },
  { label: '256 KiB ranges', length: 256 * 1024 },
  { label: '16 KiB ranges', length: 16 * 1024 },
];
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
    `bench/stream-range: ${FILE_BYTES / 2 ** 20} MiB file (sha256 ${createHash('sha256').update(file).digest('hex').slice(0, 12)}…), ${CLIENTS} keep-alive clients, ${DURATION_MS / 1000} s per run, random ranges`,
  );
  const results = [];
  try {
    for (const server of servers) {
      const running = await server.start();
      try {
        await verify(running, server.path, file);
        for (const scenario of SCENARIOS) {
          await load(running, server.path, FILE_BYTES, scenario.length, WARMUP_MS);
          results.push({
            server: server.name,
            scenario: scenario.label,
            ...(await load(running, server.path, FILE_BYTES, scenario.length, DURATION_MS)),
          });
        }
      } finally {
        await running.stop();
      }
    }
  } finally {
    await db.drop();
    rmSync(media, { recursive: true, force: true });
  }

  console.log('\n| scenario | server | req/s | MiB/s | p50 ms | p99 ms | server CPU | vs nginx |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const scenario of SCENARIOS) {
    const reference = results.find((r) => r.server === 'nginx' && r.scenario === scenario.label);
    for (const r of results.filter((x) => x.scenario === scenario.label)) {
      const ratio = reference && r.server !== 'nginx' ? `${fmt(r.mibPerSecond / reference.mibPerSecond, 2)}×` : '—';
      console.log(
        `| ${scenario.label} | ${r.server} | ${fmt(r.rps)} | ${fmt(r.mibPerSecond)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.cpu * 100)} % | ${ratio} |`,
      );
    }
  }
}

await main();
