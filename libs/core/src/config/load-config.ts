import { accessSync, constants, mkdirSync, realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { AppConfig, type LogLevel, type PluginSandboxMode } from './app-config.js';
import { ConfigError } from './config-error.js';
import { readOrCreateSecret } from './secret-file.js';
import { productVersion } from './version.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const PLUGIN_SANDBOX_MODES = ['auto', 'bwrap', 'none'] as const satisfies readonly PluginSandboxMode[];

/** Secrets seen in tutorials and templates; a deployment using one has no secret at all. */
const KNOWN_WEAK_SECRETS = new Set(
  [
    'secret',
    'changeme',
    'change-me',
    'changethis',
    'jwt-secret',
    'jwt_secret',
    'your-secret',
    'your_secret',
    'your-jwt-secret',
    'your_jwt_secret',
    'your-256-bit-secret',
    'supersecret',
    'super-secret',
    'mysecret',
    'password',
    'marquee',
    'development',
    'test',
    'secretkey',
    'secret-key',
  ].map((s) => s.toLowerCase()),
);
const MIN_JWT_SECRET_LENGTH = 32;

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

function urlWithProtocols(name: string, protocols: string[], example: string) {
  return optionalString.superRefine((value, ctx) => {
    if (value === undefined) return;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${name} is not a valid URL (expected e.g. ${example})` });
      return;
    }
    if (!protocols.includes(url.protocol)) {
      ctx.addIssue({
        code: 'custom',
        message: `${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')} (got "${url.protocol}//…", e.g. ${example})`,
      });
    }
  });
}

function executableFile(name: string) {
  return optionalString.superRefine((value, ctx) => {
    if (value === undefined) return;
    try {
      if (!statSync(value).isFile()) throw new Error('not a file');
      accessSync(value, constants.X_OK);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${name} must name an executable file (got "${value}")` });
    }
  });
}

const integer = (name: string, min: number, max: number, fallback: number) =>
  optionalString.transform((value, ctx) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `${name} must be an integer from ${min} to ${max} (got "${value}")` });
      return z.NEVER;
    }
    return n;
  });

const envSchema = z.object({
  NODE_ENV: optionalString.pipe(
    z
      .enum(['production', 'development', 'test'], {
        error: (issue) => `NODE_ENV must be production, development or test (got "${String(issue.input)}")`,
      })
      .optional(),
  ),
  PORT: integer('PORT', 1, 65535, 8080),
  HOST: optionalString.superRefine((value, ctx) => {
    if (value !== undefined && !/^[A-Za-z0-9.:[\]-]+$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: `HOST must be a host name or IP address (got "${value}")` });
    }
  }),
  DATABASE_URL: urlWithProtocols('DATABASE_URL', ['postgres:', 'postgresql:'], 'postgres://user:pass@localhost:5432/marquee'),
  REDIS_URL: urlWithProtocols('REDIS_URL', ['redis:', 'rediss:'], 'redis://localhost:6379'),
  MARQUEE_DATA_DIR: optionalString,
  MARQUEE_QUEUE_PREFIX: optionalString.superRefine((value, ctx) => {
    if (value !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `MARQUEE_QUEUE_PREFIX must be 1–32 letters, digits, dashes or underscores (got "${value}")`,
      });
    }
  }),
  MARQUEE_MEDIA_DIRS: optionalString,
  MARQUEE_LIBRARY_ROOTS: optionalString,
  JWT_SECRET: optionalString.superRefine((value, ctx) => {
    if (value === undefined) return;
    if (KNOWN_WEAK_SECRETS.has(value.toLowerCase())) {
      ctx.addIssue({
        code: 'custom',
        message: 'JWT_SECRET is a well-known default; set a random value (or unset it to have one generated)',
      });
    } else if (value.length < MIN_JWT_SECRET_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        message: `JWT_SECRET must be at least ${MIN_JWT_SECRET_LENGTH} characters (got ${value.length}); unset it to have one generated`,
      });
    }
  }),
  FFMPEG_PATH: executableFile('FFMPEG_PATH'),
  FFPROBE_PATH: executableFile('FFPROBE_PATH'),
  LOG_LEVEL: optionalString.pipe(
    z
      .enum(LOG_LEVELS, {
        error: (issue) => `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${String(issue.input)}")`,
      })
      .optional(),
  ),
  MARQUEE_MIN_FREE_DISK_MB: integer('MARQUEE_MIN_FREE_DISK_MB', 0, 10_000_000, 500),
  MARQUEE_CORS_ORIGINS: optionalString.superRefine((value, ctx) => {
    for (const origin of list(value)) {
      let url: URL | undefined;
      try {
        url = new URL(origin);
      } catch {
        url = undefined;
      }
      if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== origin) {
        ctx.addIssue({ code: 'custom', message: `MARQUEE_CORS_ORIGINS: "${origin}" is not an origin like https://media.example.org` });
        return;
      }
    }
  }),
  MARQUEE_TRUSTED_PROXIES: optionalString.superRefine((value, ctx) => {
    for (const proxy of list(value)) {
      if (!/^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/.test(proxy)) {
        ctx.addIssue({
          code: 'custom',
          message: `MARQUEE_TRUSTED_PROXIES: "${proxy}" is not an IP address, CIDR range, loopback, linklocal or uniquelocal`,
        });
        return;
      }
    }
  }),
  MARQUEE_ACCESS_TOKEN_TTL: integer('MARQUEE_ACCESS_TOKEN_TTL', 60, 86_400, 900),
  MARQUEE_SESSION_TTL_DAYS: integer('MARQUEE_SESSION_TTL_DAYS', 1, 365, 30),
  MARQUEE_MAX_HEAVY_JOBS: integer('MARQUEE_MAX_HEAVY_JOBS', 1, 256, Math.max(1, Math.floor(availableParallelism() / 2))),
  MARQUEE_JOB_RETENTION_DAYS: integer('MARQUEE_JOB_RETENTION_DAYS', 1, 3650, 30),
  MARQUEE_SHUTDOWN_GRACE_SECONDS: integer('MARQUEE_SHUTDOWN_GRACE_SECONDS', 0, 3600, 20),
  MARQUEE_PLUGIN_SANDBOX: optionalString.pipe(
    z
      .enum(PLUGIN_SANDBOX_MODES, {
        error: (issue) => `MARQUEE_PLUGIN_SANDBOX must be auto, bwrap or none (got "${String(issue.input)}")`,
      })
      .optional(),
  ),
  MARQUEE_ADMIN_USER: optionalString,
  MARQUEE_ADMIN_PASSWORD: optionalString,
});

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

export interface LoadConfigOptions {
  /** The api and the worker need a database URL; the supervisor can start embedded PostgreSQL instead. */
  requireDatabaseUrl: boolean;
}

/** A comma list of readable directories, relative ones resolved against `cwd`. */
function parseDirectoryList(name: string, raw: string | undefined, cwd: string): string[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const dir = isAbsolute(entry) ? entry : resolve(cwd, entry);
      let isDir = false;
      try {
        isDir = statSync(dir).isDirectory();
        accessSync(dir, constants.R_OK | constants.X_OK);
      } catch {
        isDir = false;
      }
      if (!isDir) throw new ConfigError(`${name}: "${entry}" is not a readable directory`);
      return dir;
    });
}

/**
 * Validates the environment and returns the configuration, or throws a ConfigError whose message is
 * one line naming the variable. Side effect: the data dir exists afterwards, and when JWT_SECRET is
 * unset a generated secret is persisted in it.
 */
export function loadConfig(env: NodeJS.ProcessEnv, options: LoadConfigOptions, cwd = process.cwd()): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(first.message);
  }
  const values = parsed.data;
  if (options.requireDatabaseUrl && !values.DATABASE_URL) {
    throw new ConfigError('DATABASE_URL is not set: start Marquee with `npm start` (embedded PostgreSQL) or set DATABASE_URL');
  }
  const dataDir = resolve(cwd, values.MARQUEE_DATA_DIR ?? 'data');
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK);
  } catch (error) {
    throw new ConfigError(`MARQUEE_DATA_DIR "${dataDir}" is not writable (${(error as Error).message})`);
  }
  const mediaDirs = parseDirectoryList('MARQUEE_MEDIA_DIRS', values.MARQUEE_MEDIA_DIRS, cwd);
  // Compared with the real paths of library folders, so symlinks are resolved here too.
  const libraryRoots = parseDirectoryList('MARQUEE_LIBRARY_ROOTS', values.MARQUEE_LIBRARY_ROOTS, cwd).map((dir) => realpathSync(dir));
  if (Boolean(values.MARQUEE_ADMIN_USER) !== Boolean(values.MARQUEE_ADMIN_PASSWORD)) {
    throw new ConfigError('MARQUEE_ADMIN_USER and MARQUEE_ADMIN_PASSWORD must be set together');
  }

  return new AppConfig({
    nodeEnv: values.NODE_ENV ?? 'development',
    version: productVersion(),
    port: values.PORT,
    host: values.HOST ?? '127.0.0.1',
    databaseUrl: values.DATABASE_URL ?? '',
    embeddedDatabase: env.MARQUEE_EMBEDDED_DATABASE === '1',
    redisUrl: values.REDIS_URL,
    queuePrefix: values.MARQUEE_QUEUE_PREFIX ?? 'marquee',
    dataDir,
    mediaDirs,
    libraryRoots,
    jwtSecret: values.JWT_SECRET ?? readOrCreateSecret(dataDir, 'jwt-secret'),
    ffmpegPath: values.FFMPEG_PATH,
    ffprobePath: values.FFPROBE_PATH,
    logLevel: (values.LOG_LEVEL ?? 'info') as LogLevel,
    minFreeDiskBytes: values.MARQUEE_MIN_FREE_DISK_MB * 1024 * 1024,
    corsOrigins: list(values.MARQUEE_CORS_ORIGINS),
    trustedProxies: list(values.MARQUEE_TRUSTED_PROXIES),
    accessTokenTtlSeconds: values.MARQUEE_ACCESS_TOKEN_TTL,
    sessionTtlDays: values.MARQUEE_SESSION_TTL_DAYS,
    maxHeavyJobs: values.MARQUEE_MAX_HEAVY_JOBS,
    jobRetentionDays: values.MARQUEE_JOB_RETENTION_DAYS,
    shutdownGraceSeconds: values.MARQUEE_SHUTDOWN_GRACE_SECONDS,
    pluginSandbox: values.MARQUEE_PLUGIN_SANDBOX ?? 'auto',
    initialAdmin:
      values.MARQUEE_ADMIN_USER && values.MARQUEE_ADMIN_PASSWORD
        ? { username: values.MARQUEE_ADMIN_USER, password: values.MARQUEE_ADMIN_PASSWORD }
        : undefined,
  } as AppConfig);
}

/** Loads the configuration or ends the process with one clear line (exit code 78, EX_CONFIG). */
export function loadConfigOrExit(options: LoadConfigOptions, processName: string): AppConfig {
  try {
    return loadConfig(process.env, options);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`marquee ${processName}: configuration error: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
