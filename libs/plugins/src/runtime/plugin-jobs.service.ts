import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PluginRunPayload } from '@marquee/contracts';
import { JobLedger } from '@marquee/jobs';
import { DataSource } from 'typeorm';
import { limitsFor } from './plugin-limits.js';
import { PluginRunError } from './plugin-process.js';

const POLL_MS = 100;
/** Beyond the plugin's own timeout: time for a worker to pick the job up. */
const QUEUE_WAIT_MS = 30_000;

export interface PluginCallTarget {
  id: string;
  name: string;
  manifest: Parameters<typeof limitsFor>[0];
}

/**
 * Plugin calls as `plugin-run` jobs, so every run shows in the job ledger and dashboard, with the
 * caller waiting for the answer (identify in the api, metadata-import in the worker).
 */
@Injectable()
export class PluginJobs {
  constructor(
    private readonly ledger: JobLedger,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async call(
    plugin: PluginCallTarget,
    method: PluginRunPayload['method'],
    params: Record<string, unknown>,
    label?: string,
  ): Promise<unknown> {
    const payload: PluginRunPayload = { pluginId: plugin.id, method, params };
    const { id } = await this.ledger.enqueue(
      'plugin-run',
      method,
      payload,
      { type: 'plugin', id: plugin.id, label: label ? `${plugin.name} · ${label}` : plugin.name },
      { priority: 'interactive', attempts: 1 },
    );
    const deadline = Date.now() + limitsFor(plugin.manifest).timeoutMs + QUEUE_WAIT_MS;
    for (;;) {
      const [run] = await this.dataSource.query<{ state: string; result: { data?: unknown } | null; error: string | null }[]>(
        `SELECT state, result, error FROM job_runs WHERE id = $1`,
        [id],
      );
      if (run?.state === 'completed') return run.result?.data ?? null;
      if (run?.state === 'failed' || run?.state === 'cancelled') {
        throw new PluginRunError('plugin-error', run.error ?? `Plugin ${plugin.id} failed (job ${id})`);
      }
      if (Date.now() > deadline)
        throw new PluginRunError('timeout', `Plugin ${plugin.id} gave no answer in time (job ${id} is ${run?.state ?? 'missing'})`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
