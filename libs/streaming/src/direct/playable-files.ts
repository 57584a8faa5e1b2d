import { isAbsolute, normalize, sep } from 'node:path';
import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MediaStreamType } from '@marquee/contracts';
import { DataSource } from 'typeorm';
import { filmParts } from '../parts/film-parts.js';
import type { FileCategory } from './content-types.js';

/** The file a direct-play request streams: always a row of media_files, never a path from the request. */
export interface PlayableFile {
  itemId: string;
  fileId: string;
  /** 1-based, in path order among the item's files. */
  part: number;
  /** The item's files (parts, or versions of one film), as `part` numbers them. */
  parts: number;
  /** How many files play when the film is played whole: its numbered parts (cd1, cd2…), else 1. */
  filmParts: number;
  /** The duration of those files together (null when one is not probed yet). */
  totalDurationMs: number | null;
  path: string;
  category: FileCategory;
  container: string | null;
  durationMs: number | null;
  bitrate: number | null;
  /** The audio stream a player picks (the default one, else the first), for music headers. */
  audio: { bitDepth: number | null; sampleRate: number | null } | null;
}

export interface PlayableStream {
  streamIndex: number;
  type: MediaStreamType;
  codec: string | null;
  language: string | null;
  title: string | null;
  width: number | null;
  height: number | null;
  bitrate: number | null;
  channels: number | null;
  isDefault: boolean;
}

interface FileRow {
  itemMissingSince: Date | null;
  folders: string[];
  id: string | null;
  path: string | null;
  archiveEntry: string | null;
  category: FileCategory | null;
  container: string | null;
  durationMs: number | null;
  bitrate: number | null;
  missingSince: Date | null;
  bitDepth: number | null;
  sampleRate: number | null;
}

// One round trip per stream request: the item, its library's folders, its files in part order and,
// for audio files, the stream a player picks.
const FILES_OF_ITEM = `
  SELECT i."missingSince" AS "itemMissingSince", l.folders,
         f.id, f.path, f."archiveEntry", f.category, f.container, f."durationMs"::float8 AS "durationMs",
         f.bitrate::float8 AS bitrate, f."missingSince", a."bitDepth", a."sampleRate"
    FROM media_items i
    JOIN libraries l ON l.id = i."libraryId"
    LEFT JOIN media_files f ON f."itemId" = i.id
    LEFT JOIN LATERAL (
      SELECT s."bitDepth", s."sampleRate" FROM media_streams s
       WHERE s."fileId" = f.id AND s.type = 'audio'
       ORDER BY s."isDefault" DESC, s."streamIndex" ASC LIMIT 1
    ) a ON f.category = 'audio'
   WHERE i.id = $1
   ORDER BY f.path ASC, f."archiveEntry" ASC`;

/** Whether `path` is a clean absolute path strictly inside one of `folders`. */
export function isInsideFolders(path: string, folders: readonly string[]): boolean {
  if (!isAbsolute(path) || path.includes('\0') || normalize(path) !== path) return false;
  return folders.some((folder) => {
    const root = normalize(folder).replace(/[\\/]+$/, '');
    return root !== '' && path.startsWith(root + sep);
  });
}

/**
 * Finds the file behind an item for direct play and the playback decision. The library lib owns
 * these tables and exports no lookup for this, so the one read-only query lives here.
 */
@Injectable()
export class PlayableFiles {
  private readonly logger = new Logger(PlayableFiles.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The item's `part`-th file (1-based; default the first); 404 with the reason when there is none to play. */
  async resolve(itemId: string, part = 1): Promise<PlayableFile> {
    const rows = await this.dataSource.query<FileRow[]>(FILES_OF_ITEM, [itemId]);
    if (rows.length === 0) throw new NotFoundException(`Item ${itemId} not found`);
    const { itemMissingSince, folders } = rows[0];
    if (itemMissingSince) {
      throw new NotFoundException(`Item ${itemId} is missing from its library since ${itemMissingSince.toISOString()}`);
    }
    const files = rows.filter((row) => row.id !== null);
    if (files.length === 0) throw new NotFoundException(`Item ${itemId} has no file to play (it holds other items)`);
    const row = files[part - 1];
    const present = files.filter((file) => !file.missingSince && !file.archiveEntry && file.category === 'video') as (FileRow & {
      path: string;
    })[];
    const whole = present.length > 1 ? filmParts(present, folders) : [row];
    if (!row) throw new NotFoundException(`Item ${itemId} has ${files.length} part(s); there is no part ${part}`);
    if (row.missingSince) {
      throw new NotFoundException(`The file of item ${itemId} (part ${part}) is missing on disk since ${row.missingSince.toISOString()}`);
    }
    if (row.archiveEntry) {
      throw new NotFoundException(`The file of item ${itemId} is an entry inside an archive; it has no byte stream of its own`);
    }
    if (!isInsideFolders(row.path!, folders)) {
      this.logger.warn(`Refusing to stream ${JSON.stringify(row.path)} of item ${itemId}: not inside its library's folders`);
      throw new NotFoundException(`The file of item ${itemId} is not inside its library's folders`);
    }
    return {
      itemId,
      fileId: row.id!,
      part,
      parts: files.length,
      filmParts: whole.length,
      totalDurationMs: whole.every((file) => file.durationMs !== null) ? whole.reduce((sum, file) => sum + file.durationMs!, 0) : null,
      path: row.path!,
      category: row.category!,
      container: row.container,
      durationMs: row.durationMs,
      bitrate: row.bitrate,
      audio: row.category === 'audio' ? { bitDepth: row.bitDepth, sampleRate: row.sampleRate } : null,
    };
  }

  /** The probed streams of a file, in container order. */
  streams(fileId: string): Promise<PlayableStream[]> {
    return this.dataSource.query<PlayableStream[]>(
      `SELECT "streamIndex", type, codec, language, title, width, height, bitrate::float8 AS bitrate, channels, "isDefault"
         FROM media_streams WHERE "fileId" = $1 ORDER BY "streamIndex" ASC`,
      [fileId],
    );
  }
}
