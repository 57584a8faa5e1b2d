import { chmodSync, mkdtempSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'marquee-config-'));
const notExecutable = join(tmp(), 'ffprobe');
writeFileSync(notExecutable, 'plain file', { mode: 0o644 });
const base = () => ({ DATABASE_URL: 'postgres://u:p@localhost:5432/marquee', MARQUEE_DATA_DIR: tmp() });

function configError(env: Record<string, string>, requireDatabaseUrl = true): string {
  try {
    loadConfig(env, { requireDatabaseUrl });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults', () => {
    const config = loadConfig(base(), { requireDatabaseUrl: true });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'info',
      nodeEnv: 'development',
      mediaDirs: [],
      libraryRoots: [],
      queueBackend: 'postgres',
      pluginSandbox: 'auto',
    });
    expect(config.minFreeDiskBytes).toBe(500 * 1024 * 1024);
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT must be an integer from 1 to 65535 \(got "abc"\)$/],
    [{ PORT: '70000' }, /^PORT must be an integer/],
    [{ PORT: '80.5' }, /^PORT must be an integer/],
    [{ HOST: 'bad host!' }, /^HOST must be a host name or IP address/],
    [{ DATABASE_URL: 'mysql://localhost/db' }, /^DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL is not a valid URL/],
    [{ REDIS_URL: 'http://localhost:6379' }, /^REDIS_URL must start with redis:\/\/ or rediss:\/\//],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)$/],
    [{ NODE_ENV: 'staging' }, /^NODE_ENV must be production, development or test/],
    [{ JWT_SECRET: 'short-secret' }, /^JWT_SECRET must be at least 32 characters \(got 12\)/],
    [{ JWT_SECRET: 'changeme' }, /^JWT_SECRET is a well-known default/],
    [{ FFMPEG_PATH: '/nonexistent/ffmpeg' }, /^FFMPEG_PATH must name an executable file/],
    [{ FFPROBE_PATH: notExecutable }, /^FFPROBE_PATH must name an executable file/],
    [{ MARQUEE_MIN_FREE_DISK_MB: '-1' }, /^MARQUEE_MIN_FREE_DISK_MB must be an integer/],
    [
      { MARQUEE_CORS_ORIGINS: 'https://ok.example,https://bad.example/path' },
      /^MARQUEE_CORS_ORIGINS: "https:\/\/bad.example\/path" is not an origin/,
    ],
    [{ MARQUEE_CORS_ORIGINS: '*' }, /^MARQUEE_CORS_ORIGINS: "\*" is not an origin/],
    [{ MARQUEE_TRUSTED_PROXIES: 'everyone' }, /^MARQUEE_TRUSTED_PROXIES: "everyone" is not an IP address/],
    [{ MARQUEE_ACCESS_TOKEN_TTL: '10' }, /^MARQUEE_ACCESS_TOKEN_TTL must be an integer from 60 to 86400/],
    [{ MARQUEE_SHUTDOWN_GRACE_SECONDS: '1h' }, /^MARQUEE_SHUTDOWN_GRACE_SECONDS must be an integer from 0 to 3600/],
    [{ MARQUEE_PLUGIN_SANDBOX: 'docker' }, /^MARQUEE_PLUGIN_SANDBOX must be auto, bwrap or none \(got "docker"\)$/],
    [{ MARQUEE_ADMIN_USER: 'admin' }, /^MARQUEE_ADMIN_USER and MARQUEE_ADMIN_PASSWORD must be set together$/],
    [{ MARQUEE_MEDIA_DIRS: '/definitely/not/here' }, /^MARQUEE_MEDIA_DIRS: "\/definitely\/not\/here" is not a readable directory$/],
    [{ MARQUEE_LIBRARY_ROOTS: '/srv/none-such' }, /^MARQUEE_LIBRARY_ROOTS: "\/srv\/none-such" is not a readable directory$/],
  ])('refuses %j with one line naming the variable', (override, message) => {
    const text = configError({ ...base(), ...override });
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('requires DATABASE_URL in the api and the worker, not in the supervisor', () => {
    const env = { MARQUEE_DATA_DIR: tmp() };
    expect(configError(env, true)).toMatch(/^DATABASE_URL is not set/);
    expect(loadConfig(env, { requireDatabaseUrl: false }).databaseUrl).toBe('');
  });

  it('refuses a data dir it cannot write', () => {
    const file = join(tmp(), 'a-file');
    writeFileSync(file, 'x');
    expect(configError({ ...base(), MARQUEE_DATA_DIR: join(file, 'data') })).toMatch(/^MARQUEE_DATA_DIR ".*" is not writable/);
  });

  it('generates a JWT secret once, keeps it private in the data dir, and reuses it', () => {
    const env = base();
    const first = loadConfig(env, { requireDatabaseUrl: true }).jwtSecret;
    const second = loadConfig(env, { requireDatabaseUrl: true }).jwtSecret;
    expect(first).toHaveLength(64);
    expect(second).toBe(first);
    const file = join(env.MARQUEE_DATA_DIR, 'secrets', 'jwt-secret');
    expect(readFileSync(file, 'utf8')).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('uses a provided strong JWT secret as is', () => {
    const secret = 'x'.repeat(20) + 'a-much-longer-random-value';
    expect(loadConfig({ ...base(), JWT_SECRET: secret }, { requireDatabaseUrl: true }).jwtSecret).toBe(secret);
  });

  it('reads media dirs and library roots (comma separated, resolved) and executable paths', () => {
    const a = tmp();
    const b = tmp();
    const ffmpeg = join(tmp(), 'ffmpeg');
    writeFileSync(ffmpeg, '#!/bin/sh\n');
    chmodSync(ffmpeg, 0o755);
    const config = loadConfig(
      { ...base(), MARQUEE_MEDIA_DIRS: ` ${a} , ${b} `, FFMPEG_PATH: ffmpeg, REDIS_URL: 'rediss://:pw@cache:6380/2', PORT: '9000' },
      { requireDatabaseUrl: true },
    );
    expect(config.mediaDirs).toEqual([a, b]);
    expect(loadConfig({ ...base(), MARQUEE_LIBRARY_ROOTS: `${a},${b}` }, { requireDatabaseUrl: true }).libraryRoots).toEqual([
      realpathSync(a),
      realpathSync(b),
    ]);
    expect(config.ffmpegPath).toBe(ffmpeg);
    expect(config.port).toBe(9000);
    expect(config.queueBackend).toBe('redis');
  });

  it.each(['auto', 'bwrap', 'none'])('reads MARQUEE_PLUGIN_SANDBOX=%s', (mode) => {
    expect(loadConfig({ ...base(), MARQUEE_PLUGIN_SANDBOX: mode }, { requireDatabaseUrl: true }).pluginSandbox).toBe(mode);
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ ...base(), PORT: '', REDIS_URL: '  ', LOG_LEVEL: '' }, { requireDatabaseUrl: true });
    expect(config.port).toBe(8080);
    expect(config.redisUrl).toBeUndefined();
  });

  it('reads the security settings', () => {
    const config = loadConfig(
      {
        ...base(),
        MARQUEE_CORS_ORIGINS: 'https://media.example.org, http://localhost:4200',
        MARQUEE_TRUSTED_PROXIES: 'loopback,10.0.0.0/8',
        MARQUEE_ADMIN_USER: 'admin',
        MARQUEE_ADMIN_PASSWORD: 'a long admin passphrase',
      },
      { requireDatabaseUrl: true },
    );
    expect(config.corsOrigins).toEqual(['https://media.example.org', 'http://localhost:4200']);
    expect(config.trustedProxies).toEqual(['loopback', '10.0.0.0/8']);
    expect(config.initialAdmin).toEqual({ username: 'admin', password: 'a long admin passphrase' });
    expect(config.accessTokenTtlSeconds).toBe(900);
    expect(config.sessionTtlDays).toBe(30);
    expect(config.shutdownGraceSeconds).toBe(20);
  });
});
