import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ScraperView } from '@marquee/contracts';
import { httpScraperId, loadPlugin, Plugin, PluginJobs, runtimeSettings, SafeHttpClient, SecretBox } from '@marquee/plugins';
import { DataSource } from 'typeorm';
import { EmbeddedTagsScraper } from './builtin/embedded-tags.scraper.js';
import { FileNameScraper } from './builtin/file-name.scraper.js';
import { NfoScraper } from './builtin/nfo.scraper.js';
import { HttpDefinitionScraper } from './http/http-definition.scraper.js';
import { PluginEntryScraper } from './plugin/plugin-entry.scraper.js';
import type { Scraper } from './scraper.js';

/**
 * Every scraper there is: the built-in ones (NFO, embedded tags, file names), each plugin's entry,
 * and each declarative HTTP scraper a plugin ships. A disabled plugin's scrapers are listed but
 * never run.
 */
@Injectable()
export class ScraperRegistry {
  private readonly logger = new Logger(ScraperRegistry.name);
  private readonly builtins: Scraper[] = [new NfoScraper(), new EmbeddedTagsScraper(), new FileNameScraper()];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: PluginJobs,
    private readonly http: SafeHttpClient,
    private readonly secrets: SecretBox,
  ) {}

  async all(): Promise<Scraper[]> {
    const plugins = await this.dataSource.getRepository(Plugin).find({ order: { id: 'ASC' } });
    const fromPlugins = await Promise.all(plugins.map((plugin) => this.ofPlugin(plugin)));
    return [...this.builtins, ...fromPlugins.flat()];
  }

  async get(id: string): Promise<Scraper | undefined> {
    return (await this.all()).find((scraper) => scraper.id === id);
  }

  async views(): Promise<ScraperView[]> {
    return (await this.all()).map((scraper) => ({
      id: scraper.id,
      name: scraper.name,
      kind: scraper.kind,
      pluginId: scraper.pluginId,
      capabilities: [...scraper.capabilities],
      enabled: scraper.enabled,
    }));
  }

  private async ofPlugin(plugin: Plugin): Promise<Scraper[]> {
    const scrapers: Scraper[] = [];
    if (plugin.manifest.entry) scrapers.push(new PluginEntryScraper(plugin, this.jobs));
    if (plugin.manifest.scrapers?.length) {
      try {
        const { definitions } = await loadPlugin(plugin.path);
        const settings = plugin.enabled ? runtimeSettings(plugin, this.secrets) : {};
        const secrets = Object.entries(plugin.manifest.settings ?? {})
          .filter(([name, field]) => field.secret && settings[name] !== undefined && String(settings[name]) !== '')
          .map(([name]) => String(settings[name]));
        for (const [path, definition] of definitions) {
          scrapers.push(
            new HttpDefinitionScraper(
              {
                id: httpScraperId(plugin.id, path),
                pluginId: plugin.id,
                pluginName: plugin.name,
                enabled: plugin.enabled,
                definition,
                hosts: plugin.manifest.permissions?.hosts ?? [],
                settings,
                secrets,
              },
              this.http,
            ),
          );
        }
      } catch (error) {
        this.logger.warn(`The scrapers of plugin ${plugin.id} cannot be read: ${(error as Error).message}`);
      }
    }
    return scrapers;
  }
}
