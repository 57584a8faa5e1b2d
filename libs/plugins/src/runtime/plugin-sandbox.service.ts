import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@marquee/core';
import { type BwrapProbe, probeBwrap } from './bwrap-probe.js';
import { type BwrapSandbox, PluginRunError } from './plugin-process.js';

const REMEDY =
  'install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) and allow unprivileged user namespaces ' +
  "(Docker's default seccomp profile blocks them), or set MARQUEE_PLUGIN_SANDBOX=none to run plugins " +
  "without isolation, with the server's rights";

/**
 * The isolation plugin runs get, per MARQUEE_PLUGIN_SANDBOX: bubblewrap (`auto`, `bwrap`), tried once
 * at start, or none. When the sandbox is wanted but does not work, runs fail at once saying how to fix
 * it; they never fall back to running unsandboxed.
 */
@Injectable()
export class PluginSandbox implements OnApplicationBootstrap {
  private readonly logger = new Logger(PluginSandbox.name);

  constructor(private readonly config: AppConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    const mode = this.config.pluginSandbox;
    if (mode === 'none') {
      this.logger.warn("Plugin sandbox: none (MARQUEE_PLUGIN_SANDBOX=none): plugins run without isolation, with the server's rights");
      return;
    }
    const probe = await this.probe();
    if (probe.usable) this.logger.log(`Plugin sandbox: bubblewrap (${probe.path}), MARQUEE_PLUGIN_SANDBOX=${mode}`);
    else
      this.logger.error(`Plugin sandbox (MARQUEE_PLUGIN_SANDBOX=${mode}) is not usable, plugins will not run: ${probe.reason}; ${REMEDY}`);
  }

  protected probe(): Promise<BwrapProbe> {
    return probeBwrap();
  }

  /** The sandbox of one run: bubblewrap, or null for none; a PluginRunError ('sandbox') when it is wanted and unusable. */
  async forRun(pluginId: string): Promise<BwrapSandbox | null> {
    if (this.config.pluginSandbox === 'none') return null;
    const probe = await this.probe();
    if (probe.usable) return { bwrapPath: probe.path, tmpfsSize: probe.tmpfsSize, hidden: [this.config.dataDir] };
    throw new PluginRunError('sandbox', `Plugin ${pluginId} was not started: the plugin sandbox is not usable: ${probe.reason}; ${REMEDY}`);
  }
}
