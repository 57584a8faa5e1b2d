import type { PluginView } from '@marquee/contracts';
import type { Plugin } from './entities/plugin.entity.js';
import { runtimeOf } from './manifest/load-manifest.js';
import { settingsView } from './settings/plugin-settings.js';

/** The id of a declarative scraper a plugin ships: `http:<plugin id>/<path in the manifest>`. */
export const httpScraperId = (pluginId: string, path: string) => `http:${pluginId}/${path}`;
/** The id of a plugin's own entry as a scraper. */
export const pluginScraperId = (pluginId: string) => `plugin:${pluginId}`;

export function toPluginView(plugin: Plugin): PluginView {
  const { manifest } = plugin;
  return {
    id: plugin.id,
    name: plugin.name,
    version: plugin.version,
    description: manifest.description ?? null,
    enabled: plugin.enabled,
    source: plugin.source,
    runtime: runtimeOf(manifest),
    capabilities: [...manifest.capabilities],
    permissions: { hosts: [...(manifest.permissions?.hosts ?? [])] },
    settingsSchema: manifest.settings ?? {},
    settings: settingsView(plugin),
    scrapers: (manifest.scrapers ?? []).map((path) => httpScraperId(plugin.id, path)),
    installedAt: plugin.installedAt.toISOString(),
    updatedAt: plugin.updatedAt.toISOString(),
  };
}
