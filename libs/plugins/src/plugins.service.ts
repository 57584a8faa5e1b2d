import { BadRequestException, ConflictException, HttpException, HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PluginView, UpdatePluginRequest } from '@marquee/contracts';
import { PROBLEM_TYPE_BASE, ValidationProblem } from '@marquee/core';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { Plugin } from './entities/plugin.entity.js';
import { discardBody, receiveArchive } from './install/archive-upload.js';
import { PackageRejectedError } from './install/install-limits.js';
import { PluginInstaller } from './install/plugin-installer.service.js';
import { ManifestRejectedError } from './manifest/load-manifest.js';
import { toPluginView } from './plugin-views.js';
import { SecretBox } from './secrets/secret-box.js';
import { changeSettings, missingRequiredSettings } from './settings/plugin-settings.js';

/** Installed plugins: install, list, enable/disable, settings (secrets sealed), removal. */
@Injectable()
export class PluginsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly installer: PluginInstaller,
    private readonly secrets: SecretBox,
  ) {}

  private get plugins() {
    return this.dataSource.getRepository(Plugin);
  }

  async list(): Promise<{ items: PluginView[]; total: number }> {
    const rows = await this.plugins.find({ order: { name: 'ASC', id: 'ASC' } });
    return { items: rows.map(toPluginView), total: rows.length };
  }

  async get(id: string): Promise<PluginView> {
    return toPluginView(await this.require(id));
  }

  /** Every enabled plugin (for the scrapers). */
  async enabled(): Promise<Plugin[]> {
    return this.plugins.find({ where: { enabled: true }, order: { id: 'ASC' } });
  }

  async require(id: string): Promise<Plugin> {
    const plugin = await this.plugins.findOneBy({ id });
    if (!plugin) throw new NotFoundException(`No plugin "${id}" is installed`);
    return plugin;
  }

  /** From an uploaded archive (raw body or multipart). */
  async installArchive(req: Request, sha256?: string): Promise<PluginView> {
    const staging = await this.installer.stage();
    try {
      const archive = await receiveArchive(req, staging, sha256);
      return toPluginView(await this.installer.installArchive(staging, archive));
    } catch (error) {
      discardBody(req);
      throw toHttpError(error);
    } finally {
      await this.installer.discard(staging);
    }
  }

  /** A copy of a folder on the server. */
  async installFolder(folder: string): Promise<PluginView> {
    const staging = await this.installer.stage();
    try {
      return toPluginView(await this.installer.installFolder(staging, folder));
    } catch (error) {
      throw toHttpError(error);
    } finally {
      await this.installer.discard(staging);
    }
  }

  async update(id: string, request: UpdatePluginRequest): Promise<PluginView> {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(Plugin);
      const plugin = await repository.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!plugin) throw new NotFoundException(`No plugin "${id}" is installed`);
      if (request.settings) {
        const changed = changeSettings(plugin, request.settings, this.secrets);
        if ('errors' in changed) throw new ValidationProblem(changed.errors);
        plugin.settings = changed.settings;
        plugin.secrets = changed.secrets;
      }
      if (request.enabled !== undefined) plugin.enabled = request.enabled;
      if (plugin.enabled) {
        const missing = missingRequiredSettings(plugin);
        if (missing.length) {
          throw new ConflictException(`Plugin ${id} cannot be enabled until its required settings are set: ${missing.join(', ')}`);
        }
      }
      return toPluginView(await repository.save(plugin));
    });
  }

  async remove(id: string): Promise<void> {
    const plugin = await this.require(id);
    await this.plugins.delete({ id });
    await this.installer.removeFiles(plugin);
  }
}

function toHttpError(error: unknown): unknown {
  if (error instanceof ManifestRejectedError) {
    return new HttpException(
      { type: `${PROBLEM_TYPE_BASE}validation`, detail: error.message, errors: error.errors },
      HttpStatus.BAD_REQUEST,
    );
  }
  if (error instanceof PackageRejectedError) return new BadRequestException(error.message);
  return error;
}
