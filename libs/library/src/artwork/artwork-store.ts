import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@marquee/core';
import { ARTWORK_KINDS, type ArtworkKind } from '../entities/item-artwork.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION = /^[0-9a-f]{8,64}$/;
/** The picture formats originals are stored in. */
export const ARTWORK_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'avif'] as const;
export type ArtworkExtension = (typeof ARTWORK_EXTENSIONS)[number];
export const MIN_ARTWORK_WIDTH = 16;
export const MAX_ARTWORK_WIDTH = 4096;
/** Temporary files of atomic writes start with this; the cache eviction removes old ones. */
export const TEMP_PREFIX = '.tmp-';

export const isArtworkKind = (kind: unknown): kind is ArtworkKind =>
  typeof kind === 'string' && (ARTWORK_KINDS as readonly string[]).includes(kind);

/**
 * Where artwork lives in the data dir:
 * - originals (embedded covers, generated thumbs, uploads): `<dataDir>/artwork/<id[0..1]>/<id>/<kind>-<version>.<ext>`
 * - resized copies: `<dataDir>/cache/artwork/<id>/<kind>-<version>-w<width>.webp`
 *
 * Every path is built from a validated item id (a UUID), kind, version (hex) and width only, never
 * from a caller's free text, and is checked to stay inside the data dir. Writes are atomic (a
 * temporary file in the same folder, then a rename), so readers never see half a picture.
 */
@Injectable()
export class ArtworkStore {
  readonly dataDir: string;
  /** `<dataDir>/artwork`: originals. */
  readonly originalsRoot: string;
  /** `<dataDir>/cache/artwork`: resized copies, safe to delete at any time. */
  readonly cacheRoot: string;

  constructor(config: AppConfig) {
    this.dataDir = resolve(config.dataDir);
    this.originalsRoot = join(this.dataDir, 'artwork');
    this.cacheRoot = join(this.dataDir, 'cache', 'artwork');
  }

  /** The folder of one item's originals. */
  originalsDir(itemId: string): string {
    checkItemId(itemId);
    return this.inside(this.originalsRoot, join(this.originalsRoot, itemId.slice(0, 2).toLowerCase(), itemId.toLowerCase()));
  }

  originalPath(itemId: string, kind: ArtworkKind, version: string, ext: string): string {
    checkKind(kind);
    checkVersion(version);
    const extension = normalizeExtension(ext);
    return this.inside(this.originalsRoot, join(this.originalsDir(itemId), `${kind}-${version}.${extension}`));
  }

  /** The folder of one item's resized copies. */
  resizedDir(itemId: string): string {
    checkItemId(itemId);
    return this.inside(this.cacheRoot, join(this.cacheRoot, itemId.toLowerCase()));
  }

  resizedPath(itemId: string, kind: ArtworkKind, version: string, width: number): string {
    checkKind(kind);
    checkVersion(version);
    checkWidth(width);
    return this.inside(this.cacheRoot, join(this.resizedDir(itemId), `${kind}-${version}-w${width}.webp`));
  }

  /** True for a file this store owns (an original in `<dataDir>/artwork`), as opposed to folder art in a library. */
  isOwnedOriginal(path: string): boolean {
    return isInside(this.originalsRoot, resolve(path));
  }

  isInsideDataDir(path: string): boolean {
    return isInside(this.dataDir, resolve(path));
  }

  /** Writes `data` to `path` (which must be inside the data dir) atomically. */
  async writeAtomic(path: string, data: Buffer): Promise<void> {
    const target = this.inside(this.dataDir, resolve(path));
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(temp, data, { flag: 'wx' });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** Deletes an original this store owns; files elsewhere (library folders) are never touched. */
  async removeOriginal(path: string): Promise<boolean> {
    if (!this.isOwnedOriginal(path)) return false;
    try {
      await unlink(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** Deletes the resized copies of one kind of an item's artwork (every version, or all but `keepVersion`). */
  async removeResized(itemId: string, kind: ArtworkKind, keepVersion?: string): Promise<number> {
    checkKind(kind);
    const dir = this.resizedDir(itemId);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    const keep = keepVersion ? `${kind}-${keepVersion}-w` : undefined;
    let removed = 0;
    for (const name of names) {
      if (!name.startsWith(`${kind}-`) || !name.endsWith('.webp') || (keep && name.startsWith(keep))) continue;
      await rm(this.inside(this.cacheRoot, join(dir, name)), { force: true });
      removed++;
    }
    return removed;
  }

  private inside(root: string, path: string): string {
    if (!isInside(root, path)) throw new Error(`Refusing an artwork path outside ${root}: ${path}`);
    return path;
  }
}

export function isInside(root: string, path: string): boolean {
  const base = resolve(root);
  const target = resolve(path);
  return target.startsWith(base.endsWith(sep) ? base : base + sep);
}

function checkItemId(itemId: string): void {
  if (!UUID.test(itemId)) throw new Error(`Not an item id: ${JSON.stringify(itemId)}`);
}

function checkKind(kind: string): void {
  if (!isArtworkKind(kind)) throw new Error(`Not an artwork kind: ${JSON.stringify(kind)}`);
}

function checkVersion(version: string): void {
  if (!VERSION.test(version)) throw new Error(`Not an artwork version: ${JSON.stringify(version)}`);
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < MIN_ARTWORK_WIDTH || width > MAX_ARTWORK_WIDTH) {
    throw new Error(`Artwork width must be an integer from ${MIN_ARTWORK_WIDTH} to ${MAX_ARTWORK_WIDTH}: ${width}`);
  }
}

function normalizeExtension(ext: string): ArtworkExtension {
  const extension = ext.replace(/^\./, '').toLowerCase();
  if (!(ARTWORK_EXTENSIONS as readonly string[]).includes(extension))
    throw new Error(`Not an artwork file extension: ${JSON.stringify(ext)}`);
  return extension as ArtworkExtension;
}
