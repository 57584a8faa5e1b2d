import { Module } from '@nestjs/common';
import { JobsWorkerModule, QueuesModule } from '@marquee/jobs';
import { PluginsCoreModule } from './plugins-core.module.js';
import { PluginRunProcessor } from './runtime/plugin-run.processor.js';
import { PluginRunner } from './runtime/plugin-runner.service.js';
import { PluginSandbox } from './runtime/plugin-sandbox.service.js';

/** The worker side of plugins: `plugin-run` jobs, each one plugin process. */
@Module({
  imports: [QueuesModule, PluginsCoreModule, JobsWorkerModule],
  providers: [PluginRunner, PluginRunProcessor, PluginSandbox],
  exports: [PluginRunner],
})
export class PluginsWorkerModule {}
