import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@marquee/core';
import { isInside } from '@marquee/library/libraries/folder-policy.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION = /^[0-9a-f]{16}$/;
const TEMP_PREFIX = '.tmp-';

/**
 * WebVTT extracted from embedded streams: `<dataDir>/subtitles/<itemId>/<source version>/<index>.vtt`.
 * Paths are built from a UUID, a hex version and an integer only, and checked to stay inside the
 * data dir. Files are written under a temporary name and renamed, so a reader never sees half a file.
 */
@Injectable()
export class SubtitleStore {
  readonly root: string;

  constructor(config: AppConfig) {
    this.root = join(resolve(config.dataDir), 'subtitles');
  }

  itemDir(itemId: string): string {
    if (!UUID.test(itemId)) throw new Error(`Not an item id: ${JSON.stringify(itemId)}`);
    return this.inside(join(this.root, itemId.toLowerCase()));
  }

  versionDir(itemId: string, version: string): string {
    if (!VERSION.test(version)) throw new Error(`Not a source version: ${JSON.stringify(version)}`);
    return this.inside(join(this.itemDir(itemId), version));
  }

  path(itemId: string, version: string, streamIndex: number): string {
    if (!Number.isInteger(streamIndex) || streamIndex < 0 || streamIndex > 99_999) throw new Error(`Not a stream index: ${streamIndex}`);
    return this.inside(join(this.versionDir(itemId, version), `${streamIndex}.vtt`));
  }

  /** A temporary name next to `path`, for a writer that renames it into place. */
  tempPath(itemId: string, version: string, streamIndex: number): string {
    return this.inside(join(this.versionDir(itemId, version), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}-${streamIndex}.vtt`));
  }

  async read(itemId: string, version: string, streamIndex: number): Promise<string | undefined> {
    try {
      return await readFile(this.path(itemId, version, streamIndex), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async prepare(itemId: string, version: string): Promise<void> {
    await mkdir(this.versionDir(itemId, version), { recursive: true });
  }

  async publish(temp: string, itemId: string, version: string, streamIndex: number): Promise<void> {
    await rename(this.inside(temp), this.path(itemId, version, streamIndex));
  }

  async discard(paths: string[]): Promise<void> {
    await Promise.all(paths.map((path) => rm(this.inside(path), { force: true })));
  }

  /** Removes the subtitles of other (older) versions of the item's file. */
  async removeOtherVersions(itemId: string, keep: string): Promise<void> {
    const itemDir = join(this.versionDir(itemId, keep), '..');
    const names = await readdir(itemDir).catch(() => [] as string[]);
    await Promise.all(
      names.filter((name) => name !== keep).map((name) => rm(this.inside(join(itemDir, name)), { recursive: true, force: true })),
    );
  }

  private inside(path: string): string {
    const target = resolve(path);
    if (!isInside(this.root, target) || target === this.root) throw new Error(`Refusing a subtitle path outside ${this.root}: ${path}`);
    return target;
  }
}
