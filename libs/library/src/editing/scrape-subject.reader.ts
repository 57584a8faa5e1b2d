import { relative } from 'node:path';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { LibraryKind, MediaItemType } from '@marquee/contracts';
import { DataSource } from 'typeorm';
import type { ItemPerson } from '../entities/media-item.entity.js';

/** A file of the item (or, for a container such as a series or an album, of one item below it). */
export interface ScrapeSubjectFile {
  path: string;
  /** Relative to the library folder holding it, with `/` separators. */
  relativePath: string;
  /** The library folder holding it. */
  libraryFolder: string;
  archiveEntry: string;
  category: 'video' | 'audio' | 'image';
}

/** What scrapers are told about an item: its identifying fields, its library and where its media lies. */
export interface ScrapeSubject {
  id: string;
  type: MediaItemType;
  title: string;
  originalTitle: string | null;
  year: number | null;
  indexNumber: number | null;
  parentIndexNumber: number | null;
  artists: string[];
  albumTitle: string | null;
  people: ItemPerson[];
  providerIds: Record<string, string>;
  lockedFields: string[];
  /** The series of an episode or season, the album artist's name of an album… whatever is above it. */
  parentTitle: string | null;
  /** The series of an episode (its grandparent). */
  seriesTitle: string | null;
  library: { id: string; kind: LibraryKind; folders: string[] };
  /** The item's own files, or up to three files below a container item. */
  files: ScrapeSubjectFile[];
  /** True when `files` belong to items below this one. */
  filesFromDescendants: boolean;
}

/** The row the subject is read from: the subject's own fields, its library flattened, and the titles above it. */
type SubjectRow = Omit<ScrapeSubject, 'library' | 'files' | 'filesFromDescendants' | 'seriesTitle'> & {
  libraryId: string;
  kind: LibraryKind;
  folders: string[];
  grandparentTitle: string | null;
  parentType: MediaItemType | null;
};

/** Reads an item the way the identify and import flows need it (no writes). */
@Injectable()
export class ScrapeSubjectReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async load(itemId: string): Promise<ScrapeSubject> {
    const [row] = await this.dataSource.query<SubjectRow[]>(
      `SELECT i.id, i.type, i.title, i."originalTitle", i.year, i."indexNumber", i."parentIndexNumber", i.artists, i."albumTitle",
              i.people, i."providerIds", i."lockedFields", i."libraryId", l.kind, l.folders,
              p.title AS "parentTitle", p.type AS "parentType", g.title AS "grandparentTitle"
         FROM media_items i
         JOIN libraries l ON l.id = i."libraryId"
         LEFT JOIN media_items p ON p.id = i."parentId"
         LEFT JOIN media_items g ON g.id = p."parentId"
        WHERE i.id = $1`,
      [itemId],
    );
    if (!row) throw new NotFoundException(`Item ${itemId} not found`);
    let files = await this.dataSource.query<Omit<ScrapeSubjectFile, 'relativePath' | 'libraryFolder'>[]>(
      `SELECT path, "archiveEntry", category FROM media_files WHERE "itemId" = $1 AND "missingSince" IS NULL ORDER BY path, "archiveEntry" LIMIT 16`,
      [itemId],
    );
    let filesFromDescendants = false;
    if (files.length === 0) {
      files = await this.dataSource.query(
        `WITH RECURSIVE below(id, depth) AS (
           SELECT id, 1 FROM media_items WHERE "parentId" = $1
           UNION ALL SELECT m.id, b.depth + 1 FROM media_items m JOIN below b ON m."parentId" = b.id WHERE b.depth < 3
         )
         SELECT f.path, f."archiveEntry", f.category FROM media_files f JOIN below b ON b.id = f."itemId"
          WHERE f."missingSince" IS NULL ORDER BY f.path, f."archiveEntry" LIMIT 3`,
        [itemId],
      );
      filesFromDescendants = files.length > 0;
    }
    const withRelative = files.flatMap((file) => {
      const folder = row.folders.find((candidate) => isBelow(candidate, file.path));
      return folder ? [{ ...file, libraryFolder: folder, relativePath: relative(folder, file.path).split('\\').join('/') }] : [];
    });
    const seriesTitle = row.type === 'episode' ? row.grandparentTitle : row.type === 'season' ? row.parentTitle : null;
    return {
      id: row.id,
      type: row.type,
      title: row.title,
      originalTitle: row.originalTitle,
      year: row.year,
      indexNumber: row.indexNumber,
      parentIndexNumber: row.parentIndexNumber,
      artists: row.artists ?? [],
      albumTitle: row.albumTitle,
      people: row.people ?? [],
      providerIds: row.providerIds ?? {},
      lockedFields: row.lockedFields ?? [],
      parentTitle: row.parentTitle,
      seriesTitle,
      library: { id: row.libraryId, kind: row.kind, folders: row.folders },
      files: withRelative,
      filesFromDescendants,
    };
  }
}

function isBelow(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/');
}
