import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { SystemStatus, WorkerStatus } from '@marquee/contracts';
import { AppConfig } from '@marquee/core';
import { DataSource, LessThan } from 'typeorm';
import { WorkerHeartbeat } from './entities/worker-heartbeat.entity.js';
import { HEARTBEAT_ALIVE_WINDOW_MS, HEARTBEAT_RETENTION_MS } from './heartbeat.constants.js';

@Injectable()
export class SystemStatusService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async workers(now = new Date()): Promise<WorkerStatus[]> {
    const repo = this.dataSource.getRepository(WorkerHeartbeat);
    await repo.delete({ lastSeenAt: LessThan(new Date(now.getTime() - HEARTBEAT_RETENTION_MS)) });
    const rows = await repo.find({ order: { lastSeenAt: 'DESC' } });
    return rows.map((row) => ({
      id: row.id,
      hostname: row.hostname,
      pid: row.pid,
      version: row.version,
      startedAt: row.startedAt.toISOString(),
      lastSeenAt: row.lastSeenAt.toISOString(),
      alive: !row.stoppedAt && now.getTime() - row.lastSeenAt.getTime() <= HEARTBEAT_ALIVE_WINDOW_MS,
      checks: row.checks,
    }));
  }

  async status(): Promise<SystemStatus> {
    const [counts] = (await this.dataSource.query(
      `SELECT (SELECT count(*) FROM users)::int AS users,
              (SELECT count(*) FROM libraries)::int AS libraries,
              (SELECT count(*) FROM media_items)::int AS items,
              (SELECT count(*) FROM job_runs)::int AS jobs`,
    )) as SystemStatus['counts'][];
    return {
      name: 'Marquee',
      version: this.config.version,
      uptimeSeconds: Math.round(process.uptime()),
      backends: {
        database: this.config.embeddedDatabase ? 'embedded-postgres' : 'postgres',
        queue: this.config.queueBackend,
      },
      workers: await this.workers(),
      counts,
    };
  }
}
