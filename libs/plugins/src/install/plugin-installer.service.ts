import { randomBytes } from 'node:crypto';
import { open, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PLUGIN_MANIFEST_FILE } from '@marquee/contracts';
import { AppConfig } from '@marquee/core';
import { DataSource } from 'typeorm';
import { Plugin } from '../entities/plugin.entity.js';
import { type LoadedPlugin, loadPlugin } from '../manifest/load-manifest.js';
import type { ReceivedArchive } from './archive-upload.js';
import { copyPluginFolder, resolveSourceFolder } from './copy-folder.js';
import { extractTarGz } from './extract-tar-gz.js';
import { extractZip } from './extract-zip.js';
import { PackageRejectedError } from './install-limits.js';

const STAGING_PREFIX = '.staging-';

/**
 * Installs plugins into `<dataDir>/plugins/<id>`: an uploaded archive (zip or tar.gz, checked
 * against its sha256 when one is given) or a copy of a server folder. Everything is unpacked into a
 * staging folder first and checked there (names, symlinks, sizes, the manifest and the files it
 * names); only a valid plugin is moved into place. Installing an id again replaces its files and
 * keeps its settings and enabled state.
 */
@Injectable()
export class PluginInstaller {
  private readonly logger = new Logger(PluginInstaller.name);
  readonly root: string;
  private readonly dataDir: string;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.dataDir = resolve(config.dataDir);
    this.root = join(this.dataDir, 'plugins');
  }

  /** A fresh staging folder; the caller removes it with `discard`. */
  async stage(): Promise<string> {
    const dir = join(this.root, `${STAGING_PREFIX}${randomBytes(8).toString('hex')}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  async discard(staging: string): Promise<void> {
    await rm(staging, { recursive: true, force: true });
  }

  async installArchive(staging: string, archive: ReceivedArchive): Promise<Plugin> {
    if (archive.expectedSha256 && archive.expectedSha256 !== archive.sha256) {
      throw new PackageRejectedError(
        `The archive's sha256 is ${archive.sha256}, not the expected ${archive.expectedSha256}; nothing was installed`,
      );
    }
    const unpacked = join(staging, 'unpacked');
    await mkdir(unpacked);
    const kind = await archiveKind(archive.path);
    if (kind === 'zip') await extractZip(archive.path, unpacked);
    else if (kind === 'gzip') await extractTarGz(archive.path, unpacked);
    else throw new PackageRejectedError('The upload is neither a zip nor a .tar.gz archive');
    return this.installUnpacked(await packageRoot(unpacked), 'archive');
  }

  async installFolder(staging: string, folder: string): Promise<Plugin> {
    const source = await resolveSourceFolder(folder, this.dataDir);
    const copy = join(staging, 'copy');
    await copyPluginFolder(source, copy);
    return this.installUnpacked(copy, 'folder');
  }

  private async installUnpacked(dir: string, source: Plugin['source']): Promise<Plugin> {
    const loaded = await loadPlugin(dir);
    return this.serialized(loaded.manifest.id, () => this.commit(dir, loaded, source));
  }

  /** Moves the checked folder into place and records the plugin. */
  private async commit(dir: string, { manifest }: LoadedPlugin, source: Plugin['source']): Promise<Plugin> {
    const target = join(this.root, manifest.id);
    const previous = join(this.root, `${STAGING_PREFIX}old-${randomBytes(6).toString('hex')}`);
    const hadFiles = await stat(target).then(
      () => true,
      () => false,
    );
    if (hadFiles) await rename(target, previous);
    try {
      await rename(dir, target);
    } catch (error) {
      if (hadFiles) await rename(previous, target).catch(() => undefined);
      throw error;
    }
    const plugin = await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(Plugin);
      const existing = await repository.findOne({ where: { id: manifest.id }, lock: { mode: 'pessimistic_write' } });
      const declared = manifest.settings ?? {};
      const keep = <T>(values: Record<string, T> | undefined, secret: boolean) =>
        Object.fromEntries(Object.entries(values ?? {}).filter(([name]) => declared[name] && Boolean(declared[name].secret) === secret));
      const row = repository.create({
        id: manifest.id,
        name: manifest.name,
        version: manifest.version,
        manifest,
        source,
        path: target,
        enabled: existing?.enabled ?? false,
        settings: keep(existing?.settings, false),
        secrets: keep(existing?.secrets, true),
      });
      await repository.save(row);
      return repository.findOneByOrFail({ id: manifest.id });
    });
    if (hadFiles) await rm(previous, { recursive: true, force: true });
    this.logger.log(`installed plugin ${manifest.id} ${manifest.version} from ${source === 'archive' ? 'an archive' : 'a folder'}`);
    return plugin;
  }

  /** Deletes a plugin's files (only ever a folder below the plugins root). */
  async removeFiles(plugin: Plugin): Promise<void> {
    const path = resolve(plugin.path);
    if (!path.startsWith(this.root + '/')) throw new Error(`Refusing to delete ${path}: not inside ${this.root}`);
    await rm(path, { recursive: true, force: true });
  }

  /** One install at a time per plugin id in this process. */
  private async serialized<T>(id: string, work: () => Promise<T>): Promise<T> {
    const before = this.locks.get(id) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(work);
    this.locks.set(id, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === run) this.locks.delete(id);
    }
  }
}

async function archiveKind(path: string): Promise<'zip' | 'gzip' | null> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead >= 4 && buffer[0] === 0x50 && buffer[1] === 0x4b && (buffer[2] === 3 || buffer[2] === 5)) return 'zip';
    if (bytesRead >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) return 'gzip';
    return null;
  } finally {
    await file.close();
  }
}

/** The manifest at the top, or inside the archive's single top-level folder (`my-plugin/marquee-plugin.json`). */
async function packageRoot(dir: string): Promise<string> {
  const names = await readdir(dir);
  if (names.includes(PLUGIN_MANIFEST_FILE)) return dir;
  const visible = names.filter((name) => name !== '__MACOSX');
  if (visible.length === 1 && (await stat(join(dir, visible[0]))).isDirectory()) {
    const inner = join(dir, visible[0]);
    if ((await readdir(inner)).includes(PLUGIN_MANIFEST_FILE)) return inner;
  }
  throw new PackageRejectedError(`The archive has no ${PLUGIN_MANIFEST_FILE} at its top (or in its single top-level folder)`);
}
