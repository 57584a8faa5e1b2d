import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@marquee/core';
import { isInside } from '@marquee/library/libraries/folder-policy.js';
import { isTrickplayManifest, type TrickplayManifest } from './trickplay-manifest.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION = /^[0-9a-f]{16}$/;
const TEMP_PREFIX = '.tmp-';
const STALE_BUILD_MS = 3600_000;
export const MANIFEST_FILE = 'manifest.json';
export const TRACK_FILE = 'trickplay.vtt';

/**
 * Trickplay builds in the data dir: `<dataDir>/trickplay/<itemId>/<source version>/` holding
 * manifest.json, trickplay.vtt and the sprite sheets `<n>.jpg`. A build is made in a temporary
 * folder and renamed into place whole, so readers see a complete build or none. Paths are built from
 * a UUID, a hex version and integers only, and checked to stay inside the data dir.
 */
@Injectable()
export class TrickplayStore {
  readonly root: string;

  constructor(config: AppConfig) {
    this.root = join(resolve(config.dataDir), 'trickplay');
  }

  itemDir(itemId: string): string {
    if (!UUID.test(itemId)) throw new Error(`Not an item id: ${JSON.stringify(itemId)}`);
    return this.inside(join(this.root, itemId.toLowerCase()));
  }

  buildDir(itemId: string, version: string): string {
    if (!VERSION.test(version)) throw new Error(`Not a source version: ${JSON.stringify(version)}`);
    return this.inside(join(this.itemDir(itemId), version));
  }

  spritePath(itemId: string, version: string, sheet: number): string {
    if (!Number.isInteger(sheet) || sheet < 0 || sheet > 9999) throw new Error(`Not a sprite sheet number: ${sheet}`);
    return this.inside(join(this.buildDir(itemId, version), `${sheet}.jpg`));
  }

  /** The finished build of this version, or undefined. */
  async manifest(itemId: string, version: string): Promise<TrickplayManifest | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.buildDir(itemId, version), MANIFEST_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const manifest: unknown = JSON.parse(text);
    return isTrickplayManifest(manifest) && manifest.sourceVersion === version ? manifest : undefined;
  }

  /** A fresh temporary folder for a build of the item. */
  async startBuild(itemId: string): Promise<string> {
    const dir = this.inside(join(this.itemDir(itemId), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`));
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Writes the manifest and the track into the build, then moves the build into place. */
  async publish(itemId: string, temp: string, manifest: TrickplayManifest, track: string): Promise<void> {
    const dir = this.inside(temp);
    await writeFile(join(dir, TRACK_FILE), track);
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(manifest));
    const target = this.buildDir(itemId, manifest.sourceVersion);
    try {
      await rename(dir, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Another worker published the same version first: its build is as good as ours.
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      await this.discard(dir);
    }
  }

  async discard(temp: string): Promise<void> {
    await rm(this.inside(temp), { recursive: true, force: true });
  }

  /** Removes builds of other versions, and temporary folders of builds interrupted over an hour ago. */
  async removeOtherVersions(itemId: string, keep: string): Promise<void> {
    const dir = this.itemDir(itemId);
    const names = await readdir(dir).catch(() => [] as string[]);
    const stale = async (name: string) => {
      if (name === keep) return false;
      if (!name.startsWith(TEMP_PREFIX)) return true;
      const info = await stat(join(dir, name)).catch(() => undefined);
      return info !== undefined && Date.now() - info.mtimeMs > STALE_BUILD_MS;
    };
    for (const name of names) if (await stale(name)) await rm(this.inside(join(dir, name)), { recursive: true, force: true });
  }

  private inside(path: string): string {
    const target = resolve(path);
    if (!isInside(this.root, target) || target === this.root) throw new Error(`Refusing a trickplay path outside ${this.root}: ${path}`);
    return target;
  }
}
