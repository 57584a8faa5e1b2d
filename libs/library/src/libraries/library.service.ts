import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type CreateLibraryRequest,
  type LibraryView,
  REPROBE_LIBRARY_TASK,
  type ReprobeLibraryPayload,
  type ScanLibraryResponse,
  type UpdateLibraryRequest,
} from '@marquee/contracts';
import { AppConfig } from '@marquee/core';
import { JobLedger, type JobPriority } from '@marquee/jobs';
import { DataSource } from 'typeorm';
import { Library } from '../entities/library.entity.js';
import { FolderRejectedError, isInside, resolveInsideFolders, validateLibraryFolder } from './folder-policy.js';
import { LibrarySchedule } from './library-schedule.js';

/** Libraries: their folders (validated), their scan schedule, and asking for a scan. */
@Injectable()
export class LibraryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly ledger: JobLedger,
    private readonly schedule: LibrarySchedule,
  ) {}

  private get libraries() {
    return this.dataSource.getRepository(Library);
  }

  async list(): Promise<LibraryView[]> {
    const rows = await this.libraries.find({ order: { name: 'ASC' } });
    const counts = await this.itemCounts(rows.map((row) => row.id));
    return rows.map((row) => this.view(row, counts.get(row.id) ?? 0));
  }

  async get(id: string): Promise<Library> {
    const library = await this.libraries.findOneBy({ id });
    if (!library) throw new NotFoundException(`Library ${id} not found`);
    return library;
  }

  async getView(id: string): Promise<LibraryView> {
    const library = await this.get(id);
    return this.view(library, (await this.itemCounts([id])).get(id) ?? 0);
  }

  async create(request: CreateLibraryRequest): Promise<LibraryView> {
    const folders = await this.checkFolders(request.folders);
    const library = await this.libraries.save(
      this.libraries.create({
        name: request.name.trim(),
        kind: request.kind,
        folders,
        scanIntervalMinutes: request.scanIntervalMinutes ?? null,
      }),
    );
    await this.schedule.sync(library);
    await this.requestScan(library.id);
    return this.view(library, 0);
  }

  async update(id: string, request: UpdateLibraryRequest): Promise<LibraryView> {
    const library = await this.get(id);
    const foldersChanged = request.folders !== undefined;
    if (request.folders) library.folders = await this.checkFolders(request.folders, id);
    if (request.name !== undefined) library.name = request.name.trim();
    if (request.kind !== undefined) library.kind = request.kind;
    if (request.scanIntervalMinutes !== undefined) library.scanIntervalMinutes = request.scanIntervalMinutes;
    await this.libraries.save(library);
    await this.schedule.sync(library);
    if (foldersChanged || request.kind !== undefined) await this.requestScan(id);
    return this.getView(id);
  }

  async remove(id: string): Promise<void> {
    const library = await this.get(id);
    await this.libraries.delete({ id: library.id });
    await this.schedule.remove(library.id);
  }

  /**
   * Enqueues a scan of the whole library (deduplicated: one queued or running full scan per
   * library) or of some paths inside it (an upload, changes the watcher saw).
   */
  async requestScan(id: string, options: { paths?: string[]; priority?: JobPriority } = {}): Promise<ScanLibraryResponse> {
    const library = await this.get(id);
    let paths: string[] | undefined;
    if (options.paths) {
      paths = [];
      for (const path of options.paths) {
        const inside = await resolveInsideFolders(path, library.folders);
        if (!inside) throw new BadRequestException(`Path "${path}" is not inside the library's folders`);
        paths.push(inside);
      }
    }
    const { id: jobId, deduplicated } = await this.ledger.enqueue(
      'library-scan',
      'scan',
      { libraryId: id, ...(paths ? { paths } : {}) },
      { type: 'library', id, label: paths ? `${library.name} (${paths.length} path${paths.length === 1 ? '' : 's'})` : library.name },
      { dedupeKey: paths ? undefined : `library-scan:${id}`, priority: options.priority ?? (paths ? 'interactive' : 'normal') },
    );
    return { jobId, deduplicated };
  }

  /** Enqueues a streams-only probe of the library's video and audio files (deduplicated: one queued or running per library). */
  async requestReprobe(id: string): Promise<ScanLibraryResponse> {
    const library = await this.get(id);
    const { id: jobId, deduplicated } = await this.ledger.enqueue(
      'library-maintenance',
      REPROBE_LIBRARY_TASK,
      { libraryId: id } satisfies ReprobeLibraryPayload,
      { type: 'library', id, label: library.name },
      { dedupeKey: `${REPROBE_LIBRARY_TASK}:${id}`, priority: 'normal' },
    );
    return { jobId, deduplicated };
  }

  private async checkFolders(input: string[], exceptLibraryId?: string): Promise<string[]> {
    const folders: string[] = [];
    for (const raw of input) {
      try {
        const folder = await validateLibraryFolder(raw, this.config.dataDir, this.config.libraryRoots);
        if (folders.some((other) => isInside(other, folder) || isInside(folder, other)))
          throw new FolderRejectedError(raw, 'overlaps another folder of this library');
        folders.push(folder);
      } catch (error) {
        if (error instanceof FolderRejectedError) throw new BadRequestException(error.message);
        throw error;
      }
    }
    const others = await this.libraries.find();
    for (const other of others) {
      if (other.id === exceptLibraryId) continue;
      const clash = other.folders.find((theirs) => folders.some((ours) => isInside(theirs, ours) || isInside(ours, theirs)));
      if (clash) throw new BadRequestException(`Folder "${clash}" already belongs to library "${other.name}" (folders may not overlap)`);
    }
    return folders;
  }

  private async itemCounts(ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await this.dataSource.query<{ libraryId: string; count: string }[]>(
      `SELECT "libraryId", count(*) AS count FROM media_items WHERE "libraryId" = ANY($1) AND "missingSince" IS NULL GROUP BY "libraryId"`,
      [ids],
    );
    return new Map(rows.map((row) => [row.libraryId, Number(row.count)]));
  }

  private view(library: Library, itemCount: number): LibraryView {
    return {
      id: library.id,
      name: library.name,
      kind: library.kind,
      folders: library.folders,
      scanIntervalMinutes: library.scanIntervalMinutes,
      lastScannedAt: library.lastScannedAt?.toISOString() ?? null,
      itemCount,
      createdAt: library.createdAt.toISOString(),
    };
  }
}
