import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { dirname, extname, join, relative } from 'node:path';
import { Injectable, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ArtworkCandidateView } from '@marquee/contracts';
import { artworkKind } from '@marquee/media';
import { DataSource } from 'typeorm';
import { isInside } from '../libraries/folder-policy.js';
import { ARTWORK_UPLOAD_MAX_BYTES } from './artwork.service.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);
/** Folders looked at for one item (its files' folders and their parents), and pictures listed at most. */
const MAX_FOLDERS = 24;
const MAX_CANDIDATES = 200;

interface Candidate extends ArtworkCandidateView {
  path: string;
}

/**
 * Pictures an admin may choose as an item's artwork: the image files beside the item's media (and
 * its children's, for a series, season or album), one folder up included (a series' folder holds
 * its poster), never outside the item's library folders. A choice names a candidate by its id, so
 * no path from a request reaches the file system.
 */
@Injectable()
export class ArtworkCandidates {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(itemId: string): Promise<ArtworkCandidateView[]> {
    return (await this.find(itemId)).map(({ path: _path, ...view }) => view);
  }

  /** The chosen picture's bytes, read within the upload limit. */
  async read(itemId: string, candidateId: string): Promise<Buffer> {
    const picture = await this.readListed(itemId, candidateId);
    if (!picture) throw new NotFoundException(`Item ${itemId} has no artwork candidate "${candidateId.slice(0, 32)}"`);
    return picture;
  }

  /** The candidate's picture, or undefined when the item lists no such candidate (404 when the item does not exist). */
  async readListed(itemId: string, candidateId: string): Promise<Buffer | undefined> {
    const candidate = (await this.find(itemId)).find((c) => c.id === candidateId);
    if (!candidate) return undefined;
    if (candidate.size > ARTWORK_UPLOAD_MAX_BYTES)
      throw new PayloadTooLargeException(`${candidate.name} is larger than ${ARTWORK_UPLOAD_MAX_BYTES / 1024 / 1024} MiB`);
    return readFile(candidate.path);
  }

  private async find(itemId: string): Promise<Candidate[]> {
    const [item] = await this.dataSource.query<{ folders: string[] }[]>(
      `SELECT l.folders FROM media_items i JOIN libraries l ON l.id = i."libraryId" WHERE i.id = $1`,
      [itemId],
    );
    if (!item) throw new NotFoundException(`Item ${itemId} not found`);
    const files = await this.dataSource.query<{ path: string }[]>(
      `WITH RECURSIVE tree(id, depth) AS (
         SELECT $1::uuid, 0
         UNION ALL SELECT c.id, t.depth + 1 FROM media_items c JOIN tree t ON c."parentId" = t.id WHERE t.depth < 3
       )
       SELECT DISTINCT f.path FROM media_files f JOIN tree t ON f."itemId" = t.id
       WHERE f."missingSince" IS NULL LIMIT 200`,
      [itemId],
    );
    const roots = item.folders;
    const folders = new Set<string>();
    for (const { path: file } of files) {
      for (const dir of [dirname(file), dirname(dirname(file))]) {
        if (roots.some((root) => isInside(root, dir))) folders.add(dir);
      }
      if (folders.size >= MAX_FOLDERS) break;
    }
    const candidates: Candidate[] = [];
    for (const folder of [...folders].slice(0, MAX_FOLDERS)) {
      const names = await readdir(folder).catch(() => [] as string[]);
      for (const name of names.sort()) {
        if (name.startsWith('.') || !IMAGE_EXTENSIONS.has(extname(name).toLowerCase())) continue;
        const path = join(folder, name);
        const info = await lstat(path).catch(() => undefined);
        if (!info?.isFile()) continue;
        const real = await realpath(path).catch(() => undefined);
        if (!real || !roots.some((root) => isInside(root, real))) continue;
        const root = roots.find((r) => isInside(r, path))!;
        candidates.push({
          id: createHash('sha1').update(path).digest('hex').slice(0, 16),
          name: relative(root, path).split('\\').join('/'),
          suggestedKind: artworkKind(name),
          size: info.size,
          path,
        });
        if (candidates.length >= MAX_CANDIDATES) return candidates;
      }
    }
    return candidates;
  }
}
