import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EmbeddedDatabase, loadConfigOrExit, migrateDatabase, startEmbeddedPostgres } from '@marquee/core';
import { Supervisor } from './supervisor.js';

const here = dirname(fileURLToPath(import.meta.url));
const log = (line: string) => process.stdout.write(`marquee: ${line}\n`);

function browserUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' || host === '127.0.0.1' ? 'localhost' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`;
}

async function waitForHttp(url: string, isStopping: () => boolean, timeoutMs = 120_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !isStopping()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return false;
}

/** `npm start`: PostgreSQL (embedded unless DATABASE_URL is set), migrations, then the api and the worker. */
async function main(): Promise<void> {
  const config = loadConfigOrExit({ requireDatabaseUrl: false }, 'supervisor');
  let embedded: EmbeddedDatabase | undefined;
  let stopping = false;
  // Set once the children run; the signal handlers need it before that.
  const running: { supervisor?: Supervisor } = {};

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received; stopping`);
    const code = running.supervisor ? await running.supervisor.stop(0) : 0;
    await embedded?.stop();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    log(`starting embedded PostgreSQL in ${join(config.dataDir, 'postgres')}`);
    const pgLog: string[] = [];
    try {
      embedded = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        log: (line) => {
          pgLog.push(line);
          if (pgLog.length > 40) pgLog.shift();
          if (config.logLevel === 'debug' || config.logLevel === 'trace') log(`postgres: ${line}`);
        },
      });
    } catch (error) {
      log(`embedded PostgreSQL failed: ${(error as Error).message}`);
      if (pgLog.length) log(`its last output:\n${pgLog.join('\n')}`);
      process.exit(1);
    }
    databaseUrl = embedded.url;
    log(`embedded PostgreSQL is up on 127.0.0.1:${embedded.port}`);
  }
  if (stopping) return;

  const report = await migrateDatabase(databaseUrl, { queueSchema: !config.redisUrl, queuePrefix: config.queuePrefix });
  log(
    `database migrated (${report.applied.length ? `applied ${report.applied.join(', ')}` : 'already up to date'}); ` +
      `queue backend: ${config.redisUrl ? 'Redis' : 'PostgreSQL'}`,
  );

  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    MARQUEE_EMBEDDED_DATABASE: embedded ? '1' : '',
    MARQUEE_DATA_DIR: config.dataDir,
  };
  const supervisor = new Supervisor(
    [
      { name: 'api', script: join(here, '..', 'api', 'main.js'), env },
      { name: 'worker', script: join(here, '..', 'worker', 'main.js'), env },
    ],
    // The worker's running jobs get their grace, then up to 10 s to hand back (see WorkerShutdown).
    { log, stopTimeoutMs: (config.shutdownGraceSeconds + 15) * 1000 },
  );
  running.supervisor = supervisor;
  supervisor.start();
  void supervisor.done.then(async (code) => {
    if (stopping) return;
    stopping = true;
    await embedded?.stop();
    process.exit(code);
  });

  const url = browserUrl(config.host, config.port);
  const probeHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  if (await waitForHttp(`http://${probeHost.includes(':') ? `[${probeHost}]` : probeHost}:${config.port}/healthz`, () => stopping)) {
    log(`Marquee ${config.version} is running — open ${url}`);
  }
}

main().catch((error: Error) => {
  log(`failed to start: ${error.message}`);
  process.exit(1);
});
