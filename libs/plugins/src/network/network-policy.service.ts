import { Injectable } from '@nestjs/common';
import type { NetworkPolicyView } from '@marquee/contracts';
import { SettingsService } from '@marquee/system/settings.service.js';

const ALLOW_PRIVATE_SETTING = 'plugins.allowPrivateNetworks';

/** The admin's choice of whether scrapers, plugins and artwork downloads may reach private addresses. */
@Injectable()
export class NetworkPolicyService {
  constructor(private readonly settings: SettingsService) {}

  async get(): Promise<NetworkPolicyView> {
    return { allowPrivateNetworks: (await this.settings.get(ALLOW_PRIVATE_SETTING, false)) === true };
  }

  async update(change: Partial<NetworkPolicyView>): Promise<NetworkPolicyView> {
    if (change.allowPrivateNetworks !== undefined) await this.settings.set(ALLOW_PRIVATE_SETTING, change.allowPrivateNetworks);
    return this.get();
  }
}
