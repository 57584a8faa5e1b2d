import { statfs } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorFunction } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { resolveBinary } from '../binaries/resolve-binary.js';
import { binaryVersion } from '../binaries/run-version.js';
import { AppConfig } from '../config/app-config.js';
import { QueueBackendHealth } from '../queue/queue-backend.health.js';

const CHECK_TIMEOUT_MS = 3000;
/** Running ffmpeg on every probe is wasteful; a binary does not vanish often. */
const BINARY_CHECK_CACHE_MS = 60_000;

export type ReadinessChecks = Record<string, { status: 'up' | 'down'; message?: string }>;

/**
 * Readiness of this process's dependencies: database, queue backend, Redis (when configured),
 * free space in the data dir, ffmpeg and ffprobe. Used by GET /readyz and by the worker's heartbeat.
 */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly queueBackend: QueueBackendHealth,
  ) {}

  private indicators(): HealthIndicatorFunction[] {
    const checks: HealthIndicatorFunction[] = [
      () =>
        this.indicator
          .check('database')
          .attempt(async () => {
            await this.dataSource.query('SELECT 1');
            return { embedded: this.config.embeddedDatabase };
          })
          .withTimeout(CHECK_TIMEOUT_MS),
      () =>
        this.indicator
          .check('queue')
          .attempt(async () => {
            await this.queueBackend.pingQueue();
            return { backend: this.queueBackend.kind };
          })
          .withTimeout(CHECK_TIMEOUT_MS),
    ];
    if (this.config.redisUrl) {
      checks.push(() =>
        this.indicator
          .check('redis')
          .attempt(() => this.queueBackend.pingRedis())
          .withTimeout(CHECK_TIMEOUT_MS),
      );
    }
    checks.push(
      () =>
        this.indicator
          .check('disk')
          .attempt(async () => {
            const stats = await statfs(this.config.dataDir);
            const freeBytes = stats.bavail * stats.bsize;
            const freeMb = Math.floor(freeBytes / 1024 / 1024);
            const requiredMb = Math.floor(this.config.minFreeDiskBytes / 1024 / 1024);
            if (freeBytes < this.config.minFreeDiskBytes) {
              throw new Error(`only ${freeMb} MB free in ${this.config.dataDir}; at least ${requiredMb} MB required`);
            }
            return { path: this.config.dataDir, freeMb, requiredMb };
          })
          .withTimeout(CHECK_TIMEOUT_MS),
      () => this.binaryCheck('ffmpeg', this.config.ffmpegPath),
      () => this.binaryCheck('ffprobe', this.config.ffprobePath),
    );
    return checks;
  }

  private binaryCheck(name: 'ffmpeg' | 'ffprobe', configured: string | undefined) {
    return this.indicator
      .check(name)
      .attempt(async () => {
        const binary = resolveBinary(name, configured);
        return { path: binary.path, source: binary.source, version: await binaryVersion(binary.path) };
      })
      .withTimeout(CHECK_TIMEOUT_MS * 2)
      .cacheFor(BINARY_CHECK_CACHE_MS);
  }

  /** Runs every check; never throws. `status` is 'ok' or 'error' and `error` names what failed. */
  async check(): Promise<HealthCheckResult> {
    try {
      return await this.health.check(this.indicators());
    } catch (error) {
      const response = (error as { getResponse?: () => unknown }).getResponse?.();
      if (response && typeof response === 'object' && 'details' in response) return response as HealthCheckResult;
      throw error;
    }
  }

  /** The per-check summary stored in a worker heartbeat. */
  static summarize(result: HealthCheckResult): ReadinessChecks {
    const summary: ReadinessChecks = {};
    for (const [name, detail] of Object.entries(result.details ?? {})) {
      const message = (detail as { message?: unknown }).message;
      summary[name] = {
        status: detail.status === 'down' ? 'down' : 'up',
        ...(typeof message === 'string' ? { message } : {}),
      };
    }
    return summary;
  }
}
