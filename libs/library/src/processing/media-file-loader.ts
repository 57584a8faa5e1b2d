import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MediaFileJobPayload } from '@marquee/contracts';
import { UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { Library } from '../entities/library.entity.js';
import { MediaFile } from '../entities/media-file.entity.js';
import { MediaItem } from '../entities/media-item.entity.js';
import { isInside } from '../libraries/folder-policy.js';

export interface LoadedMediaFile {
  file: MediaFile;
  item: MediaItem;
  library: Library;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What every per-file job starts with: its file row, item and library, with the payload checked and
 * the path confirmed inside the library's folders (the path comes from the catalogue, never from a
 * payload). A job whose file is gone fails for good rather than retrying.
 */
@Injectable()
export class MediaFileLoader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async load(payload: MediaFileJobPayload | undefined): Promise<LoadedMediaFile> {
    if (typeof payload?.fileId !== 'string' || !UUID.test(payload.fileId))
      throw new UnrecoverableError('The job payload needs "fileId", the id of a media file');
    const file = await this.dataSource.getRepository(MediaFile).findOneBy({ id: payload.fileId });
    if (!file) throw new UnrecoverableError(`Media file ${payload.fileId} is no longer in the catalogue`);
    if (file.missingSince) throw new UnrecoverableError(`${file.path} is missing on disk since ${file.missingSince.toISOString()}`);
    const library = await this.dataSource.getRepository(Library).findOneByOrFail({ id: file.libraryId });
    if (!library.folders.some((folder) => isInside(folder, file.path)))
      throw new UnrecoverableError(`${file.path} is outside the folders of library "${library.name}"`);
    const item = await this.dataSource.getRepository(MediaItem).findOneByOrFail({ id: file.itemId });
    return { file, item, library };
  }
}
