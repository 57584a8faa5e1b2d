import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Plugin } from '../entities/plugin.entity.js';
import { runtimeOf } from '../manifest/load-manifest.js';
import { SafeHttpClient } from '../network/safe-http-client.js';
import { SecretBox } from '../secrets/secret-box.js';
import { maskSecrets } from '../secrets/mask-secrets.js';
import { runtimeSettings } from '../settings/plugin-settings.js';
import { limitsFor } from './plugin-limits.js';
import { PluginRunError, runPluginProcess } from './plugin-process.js';
import { PluginSandbox } from './plugin-sandbox.service.js';

const PLUGIN_FETCH_MAX_BYTES = 2 * 1024 * 1024;
const PLUGIN_FETCH_TIMEOUT_MS = 15_000;

export interface PluginRunHooks {
  signal?: AbortSignal;
  log?: (message: string, level: 'info' | 'warn' | 'error') => Promise<void> | void;
}

/**
 * Runs one call of an installed, enabled plugin: its settings (secrets opened) go to the process on
 * stdin, and the fetches it asks for go through the SSRF-safe client, limited to the hosts its
 * manifest declares, in the sandbox MARQUEE_PLUGIN_SANDBOX asks for. The plugin never sees the
 * server's environment, sessions, keys or database.
 */
@Injectable()
export class PluginRunner {
  private readonly logger = new Logger(PluginRunner.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly secrets: SecretBox,
    private readonly http: SafeHttpClient,
    private readonly sandbox: PluginSandbox,
  ) {}

  async run(pluginId: string, method: string, params: Record<string, unknown>, hooks: PluginRunHooks = {}): Promise<unknown> {
    const plugin = await this.dataSource.getRepository(Plugin).findOneBy({ id: pluginId });
    if (!plugin) throw new PluginRunError('spawn', `Plugin ${pluginId} is not installed`);
    if (!plugin.enabled) throw new PluginRunError('spawn', `Plugin ${pluginId} is disabled`);
    const runtime = runtimeOf(plugin.manifest);
    if (!runtime || !plugin.manifest.entry) throw new PluginRunError('spawn', `Plugin ${pluginId} has no entry to run`);
    const sandbox = await this.sandbox.forRun(pluginId);
    const hosts = plugin.manifest.permissions?.hosts ?? [];
    const settings = runtimeSettings(plugin, this.secrets);
    // A plugin may put a secret setting in a URL it fetches; the job's log must not show it.
    const secretValues = Object.entries(plugin.manifest.settings ?? {})
      .filter(([name, field]) => field.secret && settings[name] !== undefined)
      .map(([name]) => String(settings[name]));
    const log = (message: string, level: 'info' | 'warn' | 'error') => {
      void Promise.resolve(hooks.log?.(maskSecrets(message, secretValues), level)).catch((error: Error) =>
        this.logger.warn(`could not record a plugin log line: ${error.message}`),
      );
    };
    return runPluginProcess({
      pluginId,
      dir: plugin.path,
      entry: plugin.manifest.entry,
      runtime,
      limits: limitsFor(plugin.manifest),
      sandbox,
      method,
      params,
      settings,
      signal: hooks.signal,
      onSpawn: (pid) => log(`started ${plugin.name} ${plugin.version} (${runtime}, pid ${pid}) for "${method}"`, 'info'),
      onLog: (level, message) => log(`[plugin] ${message}`, level),
      onFetch: async (url, headers) => {
        try {
          const response = await this.http.get(url, {
            allowedHosts: hosts,
            headers,
            maxBytes: PLUGIN_FETCH_MAX_BYTES,
            timeoutMs: PLUGIN_FETCH_TIMEOUT_MS,
            signal: hooks.signal,
          });
          log(`fetched ${new URL(response.url).host}${new URL(response.url).pathname} → ${response.status}`, 'info');
          const contentType = response.headers['content-type'] ?? null;
          return { status: response.status, contentType, body: response.body.toString('utf8') };
        } catch (error) {
          log(`fetch refused or failed: ${(error as Error).message}`, 'warn');
          throw error;
        }
      },
    });
  }
}
