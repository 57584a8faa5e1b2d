import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AppConfig, PROCESS_IDENTITY, ReadinessService } from '@marquee/core';
import type { Repository } from 'typeorm';
import { WorkerHeartbeat } from './entities/worker-heartbeat.entity.js';
import { HEARTBEAT_INTERVAL_MS } from './heartbeat.constants.js';

/** The worker's readiness, published every few seconds so the api can report it. */
@Injectable()
export class WorkerHeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHeartbeatService.name);
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;

  constructor(
    @InjectRepository(WorkerHeartbeat) private readonly heartbeats: Repository<WorkerHeartbeat>,
    private readonly readiness: ReadinessService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  /** One heartbeat: run the readiness checks and upsert this worker's row. Never throws. */
  beat(): Promise<void> {
    this.beating ??= (async () => {
      try {
        const checks = ReadinessService.summarize(await this.readiness.check());
        await this.heartbeats.upsert(
          {
            id: PROCESS_IDENTITY.id,
            hostname: PROCESS_IDENTITY.hostname,
            pid: PROCESS_IDENTITY.pid,
            version: this.config.version,
            startedAt: PROCESS_IDENTITY.startedAt,
            lastSeenAt: new Date(),
            stoppedAt: null,
            checks,
          },
          ['id'],
        );
      } catch (error) {
        this.logger.warn(`heartbeat not recorded: ${(error as Error).message}`);
      } finally {
        this.beating = undefined;
      }
    })();
    return this.beating;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.heartbeats.update({ id: PROCESS_IDENTITY.id }, { stoppedAt: new Date() }).catch(() => undefined);
  }
}
