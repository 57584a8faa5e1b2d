import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PROCESS_IDENTITY } from '@marquee/core';
import { MaintenanceTasks, QueueService } from '@marquee/jobs';
import { DataSource } from 'typeorm';
import { HEARTBEAT_STALE_MS, SEGMENT_CACHE_MAX_AGE_HOURS, SEGMENT_CACHE_MAX_BYTES } from '../hls.constants.js';
import { returnedRows } from '../sessions/transcode-store.js';
import { isTranscodeId } from '../storage/hls-paths.js';
import { HlsStorage } from '../storage/hls-storage.js';
import { killEncodersWorkingIn } from './orphan-encoders.js';
import { SegmentCacheEviction } from './segment-cache-eviction.js';

export const EVICT_SEGMENT_CACHE_TASK = 'evict-hls-cache';
const EVICTION_EVERY_MS = 15 * 60_000;
/** Each worker sweeps for dead transcodes this often (and at start). */
const SWEEP_EVERY_MS = 30_000;
/** A queued transcode no worker took for this long is given up. */
const QUEUED_TOO_LONG_MS = 60 * 60_000;
/** Ended rows are kept this long (for the dashboard and diagnosis). */
const ENDED_RETENTION_DAYS = 1;

export interface SweepResult {
  markedLost: number;
  foldersRemoved: number;
  encodersKilled: number;
  rowsDeleted: number;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Clears what dead transcodes leave: rows still "running" after their worker died (stale heartbeat,
 * or, on this host, a worker process that no longer exists), their work folders and the encoders
 * still writing into them. Runs at worker start, every 30 s, and with the scheduled eviction of the
 * segment cache by size and age.
 */
@Injectable()
export class TranscodeJanitor implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TranscodeJanitor.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly storage: HlsStorage,
    private readonly eviction: SegmentCacheEviction,
    private readonly tasks: MaintenanceTasks,
    private readonly queues: QueueService,
  ) {}

  onModuleInit(): void {
    this.tasks.register(EVICT_SEGMENT_CACHE_TASK, async () => ({
      ...(await this.sweep()),
      ...(await this.eviction.evict({ maxBytes: SEGMENT_CACHE_MAX_BYTES, maxAgeHours: SEGMENT_CACHE_MAX_AGE_HOURS })),
    }));
  }

  async onApplicationBootstrap(): Promise<void> {
    const result = await this.sweep({ startup: true });
    if (result.markedLost || result.foldersRemoved) this.logger.log(`wiped stale HLS transcodes at start: ${JSON.stringify(result)}`);
    await this.queues
      .queue('library-maintenance')
      .upsertJobScheduler(EVICT_SEGMENT_CACHE_TASK, { every: EVICTION_EVERY_MS }, { name: EVICT_SEGMENT_CACHE_TASK, data: {} });
    this.timer = setInterval(
      () => void this.sweep().catch((error: Error) => this.logger.warn(`HLS sweep failed: ${error.message}`)),
      SWEEP_EVERY_MS,
    );
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async sweep(options: { startup?: boolean } = {}): Promise<SweepResult> {
    // The folders are listed before the live rows are read: a transcode claimed in between made its
    // folder after the listing, so it cannot be taken for a dead one's.
    const folders = await readdir(this.storage.sessionsRoot).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    let lost = returnedRows<{ id: string }>(
      await this.dataSource.query(
        `UPDATE hls_transcodes SET state = 'lost', error = 'its worker stopped reporting', "endedAt" = now()
        WHERE (state = 'running' AND "heartbeatAt" < now() - make_interval(secs => $1))
           OR (state = 'queued' AND "createdAt" < now() - make_interval(secs => $2))
        RETURNING id`,
        [HEARTBEAT_STALE_MS / 1000, QUEUED_TOO_LONG_MS / 1000],
      ),
    );
    if (options.startup) lost = [...lost, ...(await this.markDeadWorkersOfThisHost())];

    const live = new Set(
      (
        await this.dataSource.query<{ id: string }[]>(
          `SELECT id FROM hls_transcodes WHERE id = ANY($1::uuid[]) AND state IN ('queued', 'running')`,
          [folders.filter(isTranscodeId)],
        )
      ).map((row) => row.id),
    );
    const dead = folders.filter((name) => !live.has(name)).map((name) => join(this.storage.sessionsRoot, name));
    const encodersKilled = await killEncodersWorkingIn(dead);
    for (const folder of dead) await rm(folder, { recursive: true, force: true });

    const [, deleted] = await this.dataSource.query(
      `DELETE FROM hls_transcodes WHERE state NOT IN ('queued', 'running') AND "endedAt" < now() - make_interval(days => $1)`,
      [ENDED_RETENTION_DAYS],
    );
    return { markedLost: lost.length, foldersRemoved: dead.length, encodersKilled, rowsDeleted: Number(deleted ?? 0) };
  }

  /** At start: this host's running transcodes whose worker process is gone died with it, however fresh their heartbeat. */
  private async markDeadWorkersOfThisHost(): Promise<{ id: string }[]> {
    const rows = await this.dataSource.query<{ id: string; workerPid: number }[]>(
      `SELECT id, "workerPid" FROM hls_transcodes WHERE state = 'running' AND host = $1 AND "workerId" <> $2`,
      [PROCESS_IDENTITY.hostname, PROCESS_IDENTITY.id],
    );
    const dead = rows.filter((row) => row.workerPid && !processAlive(row.workerPid)).map((row) => row.id);
    if (dead.length === 0) return [];
    return returnedRows<{ id: string }>(
      await this.dataSource.query(
        `UPDATE hls_transcodes SET state = 'lost', error = 'its worker died', "endedAt" = now()
        WHERE id = ANY($1::uuid[]) AND state = 'running' RETURNING id`,
        [dead],
      ),
    );
  }
}
