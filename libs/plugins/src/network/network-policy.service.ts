import { Injectable } from '@nestjs/common';
import type { NetworkPolicyView } from '@marquee/contracts';
import { SettingsService } from '@marquee/system/settings.service.js';

const ALLOW_PRIVATE_SETTING = 'plugins.allowPrivateNetworks';
const ALLOWED_PRIVATE_HOSTS_SETTING = 'plugins.allowedPrivateHosts';

/** The admin's choice of whether scrapers, plugins and artwork downloads may reach private addresses (all, or only some hosts). */
@Injectable()
export class NetworkPolicyService {
  constructor(private readonly settings: SettingsService) {}

  async get(): Promise<NetworkPolicyView> {
    const hosts = await this.settings.get<unknown>(ALLOWED_PRIVATE_HOSTS_SETTING, []);
    return {
      allowPrivateNetworks: (await this.settings.get(ALLOW_PRIVATE_SETTING, false)) === true,
      allowedPrivateHosts: Array.isArray(hosts) ? hosts.filter((host): host is string => typeof host === 'string') : [],
    };
  }

  async update(change: Partial<NetworkPolicyView>): Promise<NetworkPolicyView> {
    if (change.allowPrivateNetworks !== undefined) await this.settings.set(ALLOW_PRIVATE_SETTING, change.allowPrivateNetworks);
    if (change.allowedPrivateHosts !== undefined) await this.settings.set(ALLOWED_PRIVATE_HOSTS_SETTING, change.allowedPrivateHosts);
    return this.get();
  }
}
