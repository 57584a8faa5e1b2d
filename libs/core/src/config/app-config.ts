import type { QueueBackendKind } from '@marquee/contracts';

/** How plugin processes are isolated: `auto` and `bwrap` use bubblewrap (runs fail when it does not work), `none` runs them with the server's rights. */
export type PluginSandboxMode = 'auto' | 'bwrap' | 'none';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The validated configuration of one process. Built once by `loadConfig()`; injected by class. */
export class AppConfig {
  readonly nodeEnv!: 'production' | 'development' | 'test';
  readonly version!: string;
  readonly port!: number;
  readonly host!: string;
  /** Always set in the api and the worker; the supervisor may start embedded PostgreSQL to get one. */
  readonly databaseUrl!: string;
  /** True when the database URL points at the PostgreSQL the supervisor started from the data dir. */
  readonly embeddedDatabase!: boolean;
  readonly redisUrl?: string;
  /** Redis key prefix of the queues, so several installations can share one Redis. */
  readonly queuePrefix!: string;
  readonly dataDir!: string;
  readonly mediaDirs!: string[];
  /** Real paths every library folder must lie in; empty: any folder the server can read. */
  readonly libraryRoots!: string[];
  readonly jwtSecret!: string;
  readonly ffmpegPath?: string;
  readonly ffprobePath?: string;
  readonly logLevel!: LogLevel;
  readonly minFreeDiskBytes!: number;
  /** Browser origins allowed to call the API cross-origin; empty: CORS closed. */
  readonly corsOrigins!: string[];
  /** Express `trust proxy` value: X-Forwarded-For is believed only from these. */
  readonly trustedProxies!: string[];
  readonly accessTokenTtlSeconds!: number;
  readonly sessionTtlDays!: number;
  /** Per worker process: concurrent ffmpeg/sharp jobs across all queues. */
  readonly maxHeavyJobs!: number;
  /** Finished jobs are removed from the ledger after this many days. */
  readonly jobRetentionDays!: number;
  /** On shutdown a worker lets its running jobs finish for this long, then hands them back to the queue. */
  readonly shutdownGraceSeconds!: number;
  readonly pluginSandbox!: PluginSandboxMode;
  /** Creates this admin at start when no user exists yet. */
  readonly initialAdmin?: { username: string; password: string };

  constructor(values: AppConfig) {
    Object.assign(this, values);
  }

  get queueBackend(): QueueBackendKind {
    return this.redisUrl ? 'redis' : 'postgres';
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }
}
