import { Module } from '@nestjs/common';
import { PluginsController } from './http/plugins.controller.js';
import { PluginsCoreModule } from './plugins-core.module.js';

/** The HTTP side of plugins (admin): install, list, enable, settings, removal, the network policy. */
@Module({
  imports: [PluginsCoreModule],
  controllers: [PluginsController],
})
export class PluginsHttpModule {}
