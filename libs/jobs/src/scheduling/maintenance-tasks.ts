import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobContext } from '../ledger/job-context.js';

export type MaintenanceTask = (job: Job, ctx: JobContext) => Promise<Record<string, unknown> | void>;

/**
 * Jobs of the `library-maintenance` queue that belong to other features (artwork cache eviction,
 * clean-up of missing items…): they register here by job name, so the one processor of the queue
 * runs them without the jobs library depending on theirs.
 */
@Injectable()
export class MaintenanceTasks {
  private readonly tasks = new Map<string, MaintenanceTask>();

  register(name: string, task: MaintenanceTask): void {
    if (this.tasks.has(name)) throw new Error(`maintenance task "${name}" is registered twice`);
    this.tasks.set(name, task);
  }

  get(name: string): MaintenanceTask | undefined {
    return this.tasks.get(name);
  }
}
