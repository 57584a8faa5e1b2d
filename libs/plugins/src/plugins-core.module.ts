import { Module } from '@nestjs/common';
import { QueuesModule } from '@marquee/jobs';
import { SettingsModule } from '@marquee/system/settings.module.js';
import { PluginInstaller } from './install/plugin-installer.service.js';
import { NetworkPolicyService } from './network/network-policy.service.js';
import { SafeHttpClient } from './network/safe-http-client.js';
import { PluginsService } from './plugins.service.js';
import { PluginJobs } from './runtime/plugin-jobs.service.js';
import { SecretBox } from './secrets/secret-box.js';

/** What the api and the worker both use: installed plugins, sealed secrets, the SSRF-safe HTTP client and plugin jobs. */
@Module({
  imports: [QueuesModule, SettingsModule],
  providers: [PluginsService, PluginInstaller, SecretBox, NetworkPolicyService, SafeHttpClient, PluginJobs],
  exports: [PluginsService, SecretBox, NetworkPolicyService, SafeHttpClient, PluginJobs],
})
export class PluginsCoreModule {}
