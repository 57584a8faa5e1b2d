import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { NetworkPolicyView, PluginSettingField, PluginView, ScraperView } from '@marquee/contracts';
import { Api } from '../../../core/api.service';
import { formatRelative } from '../../../logic/format.js';
import { ResourceState, attempt } from '../../../logic/resource-state.js';
import { StatusMessage } from '../../../ui/status-message.component';

type SettingDraft = Record<string, string | number | boolean | null>;

/** Plugins: install (an archive or a server folder), enable, settings and secrets, remove; scrapers; network policy. */
@Component({
  selector: 'mq-plugins-page',
  imports: [FormsModule, StatusMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './plugins.page.html',
  styles: `
    .setting label {
      display: flex;
      flex-direction: column;
      font-weight: 600;
      font-size: 0.9rem;
    }
    .grow {
      flex: 1 1 16rem;
    }
    .settings {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
      gap: 0.75rem;
    }
  `,
})
export class PluginsPage {
  private readonly api = inject(Api);
  protected readonly ago = formatRelative;
  protected readonly plugins = new ResourceState<PluginView[]>();
  protected readonly scrapers = new ResourceState<ScraperView[]>();
  protected readonly policy = new ResourceState<NetworkPolicyView>();
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected folder = '';
  protected drafts: Record<string, SettingDraft> = {};
  /** The private hosts allowed one by one, as the admin types them (comma separated). */
  protected allowedPrivateHosts = '';

  constructor() {
    this.reload();
    void this.policy.load(async () => {
      const policy = await this.api.get<NetworkPolicyView>('plugins/network-policy');
      this.allowedPrivateHosts = policy.allowedPrivateHosts.join(', ');
      return policy;
    });
  }

  private reload(): void {
    void this.plugins.load(async () => {
      const { items: list } = await this.api.get<{ items: PluginView[] }>('plugins');
      this.drafts = Object.fromEntries(list.map((p) => [p.id, this.draftOf(p)]));
      return list;
    });
    void this.scrapers.load(async () => (await this.api.get<{ items: ScraperView[] }>('plugins/scrapers')).items);
  }

  private draftOf(plugin: PluginView): SettingDraft {
    return Object.fromEntries(
      Object.entries(plugin.settingsSchema).map(([key, field]) => {
        const value = plugin.settings[key];
        return [key, field.secret || value === undefined || (typeof value === 'object' && value !== null) ? null : value];
      }),
    );
  }

  protected fields(plugin: PluginView): [string, PluginSettingField][] {
    return Object.entries(plugin.settingsSchema);
  }

  protected secretSet(plugin: PluginView, key: string): boolean {
    const value = plugin.settings[key];
    return typeof value === 'object' && value !== null && value.set;
  }

  protected async installFolder(): Promise<void> {
    const ok = await attempt(this.error, async () => {
      const plugin = await this.api.post<PluginView>('plugins', { folder: this.folder.trim() });
      this.notice.set(`Installed ${plugin.name} ${plugin.version} (disabled until you enable it).`);
    });
    if (ok) {
      this.folder = '';
      this.reload();
    }
  }

  protected async installArchive(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    const type = file.name.endsWith('.zip') ? 'application/zip' : 'application/gzip';
    const ok = await attempt(this.error, async () => {
      const plugin = await this.api.post<PluginView>('plugins', file, { headers: { 'Content-Type': type } });
      this.notice.set(`Installed ${plugin.name} ${plugin.version} (disabled until you enable it).`);
    });
    input.value = '';
    if (ok) this.reload();
  }

  protected async setEnabled(plugin: PluginView, enabled: boolean): Promise<void> {
    if (await attempt(this.error, () => this.api.patch(`plugins/${plugin.id}`, { enabled }))) this.reload();
  }

  protected async saveSettings(plugin: PluginView): Promise<void> {
    const draft = this.drafts[plugin.id] ?? {};
    // Secrets left empty keep their stored value.
    const settings = Object.fromEntries(
      Object.entries(draft).filter(([key, value]) => !(plugin.settingsSchema[key]?.secret && (value === null || value === ''))),
    );
    if (await attempt(this.error, () => this.api.patch(`plugins/${plugin.id}`, { settings }))) {
      this.notice.set(`Settings of ${plugin.name} saved.`);
      this.reload();
    }
  }

  protected async remove(plugin: PluginView): Promise<void> {
    if (!confirm(`Remove the plugin ${plugin.name}, its settings and files?`)) return;
    if (await attempt(this.error, () => this.api.delete(`plugins/${plugin.id}`))) this.reload();
  }

  protected async saveAllowedPrivateHosts(): Promise<void> {
    const hosts = this.allowedPrivateHosts
      .split(',')
      .map((host) => host.trim())
      .filter(Boolean);
    await attempt(this.error, async () => {
      const policy = await this.api.patch<NetworkPolicyView>('plugins/network-policy', { allowedPrivateHosts: hosts });
      this.policy.value.set(policy);
      this.allowedPrivateHosts = policy.allowedPrivateHosts.join(', ');
      this.notice.set(
        policy.allowedPrivateHosts.length
          ? `Private hosts allowed: ${policy.allowedPrivateHosts.join(', ')}.`
          : 'No private host is allowed.',
      );
    });
  }

  protected async togglePrivateNetworks(): Promise<void> {
    await attempt(this.error, async () => {
      this.policy.value.set(
        await this.api.patch<NetworkPolicyView>('plugins/network-policy', {
          allowPrivateNetworks: !this.policy.value()?.allowPrivateNetworks,
        }),
      );
    });
  }
}
