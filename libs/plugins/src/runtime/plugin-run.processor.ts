import { Processor } from '@nestjs/bullmq';
import type { PluginRunPayload, QueueName } from '@marquee/contracts';
import { type JobContext, LedgerProcessor, QUEUE_POLICIES, WORKER_OPTIONS } from '@marquee/jobs';
import { type Job, UnrecoverableError } from 'bullmq';
import { PluginRunError } from './plugin-process.js';
import { PluginRunner } from './plugin-runner.service.js';

/**
 * `plugin-run`: one call of a plugin, out of process. A plugin that hangs, crashes, runs out of
 * memory or prints garbage fails its job with the reason (not retried: it would fail the same way).
 */
@Processor('plugin-run', { ...WORKER_OPTIONS, concurrency: QUEUE_POLICIES['plugin-run'].concurrency })
export class PluginRunProcessor extends LedgerProcessor {
  protected readonly queueName: QueueName = 'plugin-run';

  constructor(private readonly runner: PluginRunner) {
    super();
  }

  protected async handle(job: Job<PluginRunPayload>, ctx: JobContext): Promise<Record<string, unknown>> {
    const { pluginId, method, params } = job.data;
    try {
      const data = await this.runner.run(pluginId, method, params ?? {}, {
        signal: ctx.signal,
        log: (message, level) => ctx.log(message, level),
      });
      return { data: data ?? null };
    } catch (error) {
      if (error instanceof PluginRunError && error.failure !== 'cancelled') throw new UnrecoverableError(error.message);
      throw error;
    }
  }
}
