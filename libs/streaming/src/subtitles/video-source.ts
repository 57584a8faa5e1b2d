import { createHash } from 'node:crypto';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MediaFileJobPayload } from '@marquee/contracts';
import { Library, MediaFile, MediaItem } from '@marquee/library';
import { isInside } from '@marquee/library/libraries/folder-policy.js';
import { UnrecoverableError } from 'bullmq';
import { DataSource, IsNull } from 'typeorm';
import { filmParts } from '../parts/film-parts.js';

/** The video an item plays, with what the caches of derived files (subtitles, sprites) are keyed on. */
export interface VideoSource {
  item: MediaItem;
  /** The first part (most items have one): its streams are the ones listed, its id keys the jobs. */
  file: MediaFile;
  /** Every part in playing order: a film in numbered parts (cd1, cd2…) plays as one, as HLS plays it. */
  parts: MediaFile[];
  /** Of all the parts together; null while one of them is not probed. */
  durationMs: number | null;
  library: Library;
  /** Changes when any part does (size, mtime): derived files of an older version are stale. */
  version: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The number (from 1) of the first part not probed yet, of a film in several parts; undefined when all are (or there is one). */
export function unprobedPart(source: Pick<VideoSource, 'parts'>): number | undefined {
  if (source.parts.length < 2) return undefined;
  const index = source.parts.findIndex((part) => !part.durationMs || part.durationMs <= 0);
  return index === -1 ? undefined : index + 1;
}

/** A film in one file keeps the version it always had; a film in parts hashes every part, in order. */
export function sourceVersion(parts: readonly Pick<MediaFile, 'id' | 'size' | 'mtime'>[]): string {
  return createHash('sha256')
    .update(parts.map((file) => `${file.id}:${file.size}:${new Date(file.mtime).getTime()}`).join('|'))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Finds the video behind an item from the catalogue only: its present video files that are parts of
 * one film, in order (see filmParts), else the first by path; every path confirmed inside its library.
 */
@Injectable()
export class VideoSources {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** 404 when the item does not exist; undefined when it has no video file to derive from. */
  async forItem(itemId: string): Promise<VideoSource | undefined> {
    if (!UUID.test(itemId)) throw new NotFoundException(`Item ${String(itemId).slice(0, 64)} not found`);
    const item = await this.dataSource.getRepository(MediaItem).findOneBy({ id: itemId });
    if (!item) throw new NotFoundException(`Item ${itemId} not found`);
    const files = await this.dataSource.getRepository(MediaFile).find({
      where: { itemId, category: 'video', missingSince: IsNull(), archiveEntry: '' },
      order: { path: 'ASC' },
    });
    if (files.length === 0) return undefined;
    const library = await this.dataSource.getRepository(Library).findOneBy({ id: files[0].libraryId });
    if (!library) return undefined;
    const parts = filmParts(files, library.folders);
    if (!parts.every((part) => library.folders.some((folder) => isInside(folder, part.path)))) return undefined;
    const durations = parts.map((part) => part.durationMs);
    const durationMs = durations.every((ms) => ms && ms > 0) ? durations.reduce<number>((sum, ms) => sum + ms!, 0) : null;
    return { item, file: parts[0], parts, durationMs, library, version: sourceVersion(parts) };
  }

  /**
   * The source of a per-file job: the whole video the file is a part of (the job of any part makes
   * what covers them all, so the last part probed finds them all probed). Fails for good on a bad
   * payload, a file gone from the catalogue or outside its library; undefined when the file is not
   * played (another version of the film).
   */
  async forJob(payload: MediaFileJobPayload | undefined): Promise<VideoSource | undefined> {
    if (typeof payload?.fileId !== 'string' || !UUID.test(payload.fileId))
      throw new UnrecoverableError('The job payload needs "fileId", the id of a video file');
    const file = await this.dataSource.getRepository(MediaFile).findOneBy({ id: payload.fileId });
    if (!file) throw new UnrecoverableError(`Media file ${payload.fileId} is no longer in the catalogue`);
    if (file.category !== 'video') throw new UnrecoverableError(`${file.path} is not a video`);
    if (file.missingSince) throw new UnrecoverableError(`${file.path} is missing on disk since ${file.missingSince.toISOString()}`);
    const source = await this.forItem(file.itemId).catch((error: unknown) => {
      if (error instanceof NotFoundException) throw new UnrecoverableError(`The item of ${file.path} is no longer in the catalogue`);
      throw error;
    });
    if (!source) throw new UnrecoverableError(`${file.path} is outside the folders of its library`);
    return source.parts.some((part) => part.id === file.id) ? source : undefined;
  }
}
