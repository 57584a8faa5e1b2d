import { createHash } from 'node:crypto';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MediaFileJobPayload } from '@marquee/contracts';
import { Library, MediaFile, MediaItem } from '@marquee/library';
import { isInside } from '@marquee/library/libraries/folder-policy.js';
import { UnrecoverableError } from 'bullmq';
import { DataSource, IsNull } from 'typeorm';

/** The video file an item plays, with what the caches of derived files (subtitles, sprites) are keyed on. */
export interface VideoSource {
  item: MediaItem;
  file: MediaFile;
  library: Library;
  /** Changes when the file does (size, mtime): derived files of an older version are stale. */
  version: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function sourceVersion(file: Pick<MediaFile, 'id' | 'size' | 'mtime'>): string {
  return createHash('sha256')
    .update(`${file.id}:${file.size}:${new Date(file.mtime).getTime()}`)
    .digest('hex')
    .slice(0, 16);
}

/**
 * Finds the video file behind an item — its first present video file by path (a film in parts
 * shows the first part) — from the catalogue only, with its path confirmed inside its library.
 */
@Injectable()
export class VideoSources {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** 404 when the item does not exist; undefined when it has no video file to derive from. */
  async forItem(itemId: string): Promise<VideoSource | undefined> {
    if (!UUID.test(itemId)) throw new NotFoundException(`Item ${String(itemId).slice(0, 64)} not found`);
    const item = await this.dataSource.getRepository(MediaItem).findOneBy({ id: itemId });
    if (!item) throw new NotFoundException(`Item ${itemId} not found`);
    const file = await this.dataSource.getRepository(MediaFile).findOne({
      where: { itemId, category: 'video', missingSince: IsNull() },
      order: { path: 'ASC' },
    });
    if (!file) return undefined;
    return this.withLibrary(item, file);
  }

  /**
   * The source of a per-file job. Fails for good on a bad payload, a file gone from the catalogue or
   * outside its library; undefined when the file is not its item's video source (a second part).
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
    return source.file.id === file.id ? source : undefined;
  }

  private async withLibrary(item: MediaItem, file: MediaFile): Promise<VideoSource | undefined> {
    const library = await this.dataSource.getRepository(Library).findOneBy({ id: file.libraryId });
    if (!library || !library.folders.some((folder) => isInside(folder, file.path))) return undefined;
    return { item, file, library, version: sourceVersion(file) };
  }
}
