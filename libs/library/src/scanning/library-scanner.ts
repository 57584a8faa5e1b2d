import { randomUUID } from 'node:crypto';
import { access, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type AudioTags,
  classifyPath,
  hasOshash,
  listZipImages,
  mapLimited,
  mediaCategory,
  oshash,
  type PathClassification,
  readAudioTags,
  walkTree,
  type WalkedDirectory,
  type WalkedFile,
} from '@marquee/media';
import { DataSource, type EntityManager } from 'typeorm';
import type { Library } from '../entities/library.entity.js';
import { isInside } from '../libraries/folder-policy.js';
import { MediaPipeline, type ScannedFile } from '../processing/media-pipeline.js';
import { inReadingOrder, planArchivePages } from './archive-pages.js';
import { ContainerResolver, type ResolvedContainer } from './container-resolver.js';
import { archiveGallery, type LeafFields, placeFile, type Placement } from './file-placement.js';
import { fileDerivedFields, regroupContainers, type Replacement, replaceItems } from './item-replacement.js';
import { SidecarFinder } from './sidecar-finder.js';
import { type SidecarTarget, SidecarWork } from './sidecar-work.js';

/** Files written per transaction. */
const BATCH_SIZE = 500;
/** Files read in parallel while preparing a batch (oshash, tags, archive listings). */
const PREPARE_CONCURRENCY = 16;
/** Directories compared with the catalogue in one query (bounded, so memory stays flat on any tree). */
const LOOKUP_DIRECTORIES = 256;
const LOOKUP_FILES = 1000;
/** Scan progress is reported at most this often. */
const PROGRESS_INTERVAL_MS = 1000;
/** Unreadable files named in a scan's result (the count covers them all). */
const UNREADABLE_LISTED = 50;

export interface ScanOptions {
  /** Only these absolute paths (files or folders inside the library); the whole library when absent. */
  paths?: string[];
  signal?: AbortSignal;
  progress?: (percent: number, message: string) => Promise<void> | void;
  log?: (message: string, level?: 'info' | 'warn' | 'error') => Promise<void> | void;
  /** Queue probes, fingerprints and thumbnails for new and changed files (default true). */
  enqueueDownstream?: boolean;
}

export interface ScanSummary {
  directories: number;
  files: number;
  unchanged: number;
  added: number;
  changed: number;
  moved: number;
  missing: number;
  restored: number;
  ignored: number;
  /** Files read in this scan that could not be read (a corrupt track or archive): recorded, not catalogued. */
  failed: number;
  /** Files recorded as unreadable by an earlier scan and unchanged since: not read again. */
  unreadable: number;
  /** The first of the files that failed or are known unreadable, with why (the admin sees them in the scan's result). */
  unreadableFiles: { path: string; reason: string }[];
  durationMs: number;
}

interface ExistingFile {
  id: string;
  path: string;
  archiveEntry: string;
  size: number;
  mtimeMs: number;
  itemId: string;
  missing: boolean;
}

/** A file recorded as unreadable by an earlier scan. */
interface UnreadableRow {
  path: string;
  size: number;
  mtimeMs: number;
  reason: string;
}

/** Where a walked file is and what its name says it is. */
interface WalkedMedia {
  root: string;
  file: WalkedFile;
  relativePath: string;
  classification: PathClassification;
  tags?: AudioTags;
}

/** An archive's image entries, as listed when the scan read it. */
type ArchiveEntries = { name: string; size: number }[];

interface NewFile extends WalkedMedia {
  oshash?: string;
  entries?: ArchiveEntries;
  /** An earlier scan could not read it; it changed since, so it is read again. */
  wasUnreadable?: boolean;
}

interface ChangedFile extends WalkedMedia {
  rows: ExistingFile[];
  oshash?: string;
  /** An archive's entries read again (undefined when it no longer reads: its pages stay, their thumbnails fail with the reason). */
  entries?: ArchiveEntries;
}

/** A page row or item to insert. */
interface NewFileRow {
  id: string;
  itemId: string;
  path: string;
  archiveEntry: string;
  category: string;
  size: number;
  mtime: Date;
  oshash: string | null;
}
type NewLeafRow = LeafFields & { id: string; parentId: string | null };

/** A file that could not be read, to record. */
interface FailedFile {
  file: WalkedFile;
  reason: string;
}

/** What one flush takes from the walk: read (prepared), then written in one transaction. */
interface ScanBatch {
  news: NewFile[];
  changed: ChangedFile[];
  gone: ExistingFile[];
  restored: ExistingFile[];
  /** NFOs changed since the last scan, to apply again to the items beside them. */
  changedNfos: string[];
  /** Files recorded as unreadable that are no longer there (or no longer media). */
  forgotten: string[];
  /** New files that could not be read, filled while the batch is prepared. */
  failures: FailedFile[];
}

/** State of one scan run, between batches. */
class ScanRun {
  readonly summary: ScanSummary = {
    directories: 0,
    files: 0,
    unchanged: 0,
    added: 0,
    changed: 0,
    moved: 0,
    missing: 0,
    restored: 0,
    ignored: 0,
    failed: 0,
    unreadable: 0,
    unreadableFiles: [],
    durationMs: 0,
  };
  readonly started = Date.now();
  lastProgressAt = 0;
  readonly containers: ContainerResolver;
  readonly sidecars = new SidecarFinder();
  /** Relative directory → the film found there, so extras in its subfolders find their owner. */
  readonly filmsByDir = new Map<string, string>();
  /** Folders walked per library root: a full scan marks files elsewhere missing. */
  readonly visited = new Set<string>();
  news: NewFile[] = [];
  changed: ChangedFile[] = [];
  gone: ExistingFile[] = [];
  restored: ExistingFile[] = [];
  changedNfos: string[] = [];
  forgotten: string[] = [];
  /**
   * The batch pipeline: while the walk gathers a batch, the last one is read (oshash, tags) and the
   * one before it written. Writes stay in walk order, one transaction at a time. Each promise has a
   * handler attached, so a failure waits for the next flush (or the end of the scan) to be thrown.
   */
  preparing: Promise<unknown> = Promise.resolve();
  writing: Promise<void> = Promise.resolve();
  /** The write before `writing`: a flush waits for it, so no more than three batches are ever held. */
  writingBefore: Promise<void> = Promise.resolve();
  /** The per-file jobs of the last batch written, queued while the next batch is written. */
  enqueuing: Promise<void> = Promise.resolve();
  /**
   * The first walk of a full scan of a library that had no files: the catalogue has nothing for any
   * directory it reaches, so there is nothing to look up.
   */
  catalogueEmpty: boolean;

  constructor(
    readonly library: Library,
    readonly options: ScanOptions,
    readonly expectedFiles: number,
  ) {
    this.containers = new ContainerResolver(library.id);
    this.catalogueEmpty = expectedFiles === 0 && !options.paths;
  }

  get pending(): number {
    return this.news.length + this.changed.length + this.gone.length + this.restored.length + this.forgotten.length;
  }

  noteUnreadable(path: string, reason: string): void {
    if (this.summary.unreadableFiles.length < UNREADABLE_LISTED) this.summary.unreadableFiles.push({ path, reason });
  }
}

const toPosix = (path: string) => path.split(sep).join('/');

function groupByFolder<T extends { folder: string }>(rows: T[]): Map<string, T[]> {
  const byFolder = new Map<string, T[]>();
  for (const row of rows) {
    const inFolder = byFolder.get(row.folder);
    if (inFolder) inFolder.push(row);
    else byFolder.set(row.folder, [row]);
  }
  return byFolder;
}

/**
 * The library scan: walks each folder one directory at a time (never the whole tree in memory),
 * compares it with what the catalogue holds for that directory (size + mtime), and writes new,
 * changed, moved and vanished files in one transaction per batch. Moved files are recognised by
 * their oshash and keep their item (and so users' data and admins' edits); vanished files mark their
 * items missing rather than deleting them. Per-file work (probe, fingerprint, thumbnail) is queued.
 */
@Injectable()
export class LibraryScanner {
  private readonly logger = new Logger(LibraryScanner.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pipeline: MediaPipeline,
    private readonly sidecarWork: SidecarWork,
  ) {}

  async scan(library: Library, options: ScanOptions = {}): Promise<ScanSummary> {
    // One scan per library at a time, across every worker: the lock lives as long as this connection.
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    let run: ScanRun | undefined;
    try {
      await lock.query(`SELECT pg_advisory_lock(hashtext($1))`, [`library-scan:${library.id}`]);
      // Files recorded as unreadable count too: a library holding only those still has a catalogue to compare with.
      const [{ count }] = await this.dataSource.query<{ count: string }[]>(
        `SELECT (SELECT count(*) FROM media_files WHERE "libraryId" = $1) + (SELECT count(*) FROM unreadable_files WHERE "libraryId" = $1) AS count`,
        [library.id],
      );
      run = new ScanRun(library, options, Number(count));
      if (options.paths) await this.scanPaths(run, options.paths);
      else await this.scanFolders(run);
      await this.propagateMissing(library.id);
      if (!options.paths)
        await this.dataSource.query(`UPDATE libraries SET "lastScannedAt" = $2 WHERE id = $1`, [library.id, new Date(run.started)]);
      run.summary.durationMs = Date.now() - run.started;
      await options.progress?.(100, this.describe(run));
      return run.summary;
    } finally {
      // A scan that failed mid-walk may still be writing a batch: the lock is held until it is done.
      await run?.writing.catch(() => undefined);
      await run?.enqueuing.catch(() => undefined);
      await lock.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`library-scan:${library.id}`]).catch(() => undefined);
      await lock.release();
    }
  }

  private async scanFolders(run: ScanRun): Promise<void> {
    for (const root of run.library.folders) {
      const reachable = await stat(root).then(
        (info) => info.isDirectory(),
        () => false,
      );
      if (!reachable) {
        // An unmounted disk must not turn a whole library "missing".
        await run.options.log?.(`folder ${root} is not reachable; its files are left as they were`, 'warn');
        continue;
      }
      const visitedHere = new Set<string>();
      await this.scanWalk(run, root, root, visitedHere);
      await this.markUnvisitedMissing(run, root, visitedHere);
    }
  }

  /** Walks `from` (inside `root`), comparing directories with the catalogue a group at a time. */
  private async scanWalk(run: ScanRun, root: string, from: string, visitedHere: Set<string>): Promise<void> {
    let group: WalkedDirectory[] = [];
    let groupFiles = 0;
    const compare = async () => {
      await this.scanDirectories(run, root, group, undefined);
      group = [];
      groupFiles = 0;
      if (run.pending >= BATCH_SIZE) await this.flush(run);
    };
    for await (const directory of walkTree(from, {
      signal: run.options.signal,
      onError: (path, error) => this.walkError(run, path, error),
    })) {
      visitedHere.add(directory.dir);
      group.push(directory);
      groupFiles += directory.files.length;
      if (group.length >= LOOKUP_DIRECTORIES || groupFiles >= LOOKUP_FILES) await compare();
    }
    if (group.length) await compare();
    await this.drain(run);
    run.catalogueEmpty = false;
  }

  private async scanPaths(run: ScanRun, paths: string[]): Promise<void> {
    for (const path of paths) {
      const root = run.library.folders.find((folder) => isInside(folder, path));
      if (!root) continue;
      // A symlink in the folder may point out of it: what lies there is not the library's (the walk never follows it either).
      const real = await realpath(path).catch(() => undefined);
      if (real !== undefined && !isInside(await realpath(root).catch(() => root), real)) {
        await run.options.log?.(`${path} leads out of the library's folder ${root}; it is not scanned`, 'warn');
        continue;
      }
      const info = await stat(path).catch(() => undefined);
      if (!info) {
        await this.markPathMissing(run, path);
      } else if (info.isDirectory()) {
        const visitedHere = new Set<string>();
        await this.scanWalk(run, root, path, visitedHere);
        await this.markUnvisitedMissing(run, path, visitedHere);
      } else if (info.isFile()) {
        const dir = dirname(path);
        const file: WalkedFile = { name: basename(path), path, size: info.size, mtimeMs: info.mtimeMs };
        await this.scanDirectories(run, root, [{ dir, relativeDir: toPosix(relative(root, dir)), files: [file] }], new Set([path]));
        await this.drain(run);
      }
    }
  }

  private walkError(run: ScanRun, path: string, error: Error): void {
    void run.options.log?.(`could not read ${path}: ${error.message}`, 'warn');
  }

  /** Compares a group of directories with the catalogue, in one query. `only`: a partial scan of these files alone. */
  private async scanDirectories(run: ScanRun, root: string, directories: WalkedDirectory[], only: Set<string> | undefined): Promise<void> {
    run.options.signal?.throwIfAborted();
    const [rows, unreadable] = run.catalogueEmpty
      ? [[], []]
      : await Promise.all([this.catalogued(run, directories), this.unreadableIn(run, directories)]);
    const byFolder = groupByFolder(rows);
    const unreadableByFolder = groupByFolder(unreadable);
    for (const directory of directories)
      this.compareDirectory(run, root, directory, byFolder.get(directory.dir) ?? [], unreadableByFolder.get(directory.dir) ?? [], only);
    const now = Date.now();
    if (now - run.lastProgressAt >= PROGRESS_INTERVAL_MS) {
      run.lastProgressAt = now;
      await run.options.progress?.(
        Math.min(99, (run.summary.files / Math.max(run.expectedFiles, run.summary.files + 1)) * 100),
        this.describe(run),
      );
    }
  }

  /** What the catalogue holds for these directories. */
  private catalogued(run: ScanRun, directories: WalkedDirectory[]): Promise<(ExistingFile & { folder: string })[]> {
    return this.dataSource.query(
      `SELECT id, path, folder, "archiveEntry", size::float8 AS size, (extract(epoch FROM mtime) * 1000)::float8 AS "mtimeMs", "itemId",
              "missingSince" IS NOT NULL AS missing
       FROM media_files WHERE "libraryId" = $1 AND folder = ANY($2)`,
      [run.library.id, directories.map((directory) => directory.dir)],
    );
  }

  /** The files of these directories an earlier scan could not read. */
  private unreadableIn(run: ScanRun, directories: WalkedDirectory[]): Promise<(UnreadableRow & { folder: string })[]> {
    return this.dataSource.query(
      `SELECT path, folder, size::float8 AS size, (extract(epoch FROM mtime) * 1000)::float8 AS "mtimeMs", reason
       FROM unreadable_files WHERE "libraryId" = $1 AND folder = ANY($2)`,
      [run.library.id, directories.map((directory) => directory.dir)],
    );
  }

  private compareDirectory(
    run: ScanRun,
    root: string,
    directory: WalkedDirectory,
    rows: ExistingFile[],
    unreadableRows: UnreadableRow[],
    only: Set<string> | undefined,
  ): void {
    run.summary.directories++;
    run.visited.add(directory.dir);
    if (!only)
      run.sidecars.prime(
        directory.dir,
        directory.files.map((file) => file.name),
      );
    const existing = new Map<string, ExistingFile[]>();
    for (const row of rows) {
      if (only && !only.has(row.path)) continue;
      const atPath = existing.get(row.path);
      if (atPath) atPath.push(row);
      else existing.set(row.path, [row]);
    }
    const unreadable = new Map(unreadableRows.filter((row) => !only || only.has(row.path)).map((row) => [row.path, row]));
    const lastScan = run.library.lastScannedAt?.getTime() ?? 0;
    for (const file of directory.files) {
      const relativePath = toPosix(relative(root, file.path));
      const classification = classifyPath(run.library.kind, relativePath);
      if (classification.kind === 'ignored' || classification.kind === 'sidecar') {
        if (classification.kind === 'sidecar' && classification.sidecar === 'nfo' && file.mtimeMs > lastScan && lastScan > 0)
          run.changedNfos.push(file.path);
        if (classification.kind === 'ignored') run.summary.ignored++;
        continue;
      }
      run.summary.files++;
      const known = existing.get(file.path);
      existing.delete(file.path);
      if (known) {
        const mtimeMs = Math.floor(file.mtimeMs);
        const same = known.every((row) => row.size === file.size && Math.abs(row.mtimeMs - mtimeMs) < 1);
        if (same) {
          run.summary.unchanged++;
          if (known.some((row) => row.missing)) run.restored.push(...known);
        } else {
          run.changed.push({ rows: known, root, file, relativePath, classification });
        }
        continue;
      }
      const failed = unreadable.get(file.path);
      unreadable.delete(file.path);
      if (failed && failed.size === file.size && Math.abs(failed.mtimeMs - Math.floor(file.mtimeMs)) < 1) {
        run.summary.unreadable++;
        run.noteUnreadable(file.path, failed.reason);
        continue;
      }
      run.news.push({ root, file, relativePath, classification, wasUnreadable: failed !== undefined });
    }
    for (const gone of existing.values()) run.gone.push(...gone.filter((row) => !row.missing));
    for (const row of unreadable.values()) run.forgotten.push(row.path);
  }

  private describe(run: ScanRun): string {
    const s = run.summary;
    return `${s.files} files: ${s.added} new, ${s.changed} changed, ${s.moved} moved, ${s.missing} missing`;
  }

  /** Reads what a new file needs before it is placed: oshash (to recognise moves), tags, archive entries. */
  private async prepare(run: ScanRun, batch: ScanBatch, item: NewFile): Promise<boolean> {
    try {
      if (hasOshash(item.file.size)) item.oshash = await oshash(item.file.path);
      if (item.classification.kind === 'track') item.tags = await readAudioTags(item.file.path, { timeoutMs: 30_000 });
      if (item.classification.kind === 'archive') item.entries = await listZipImages(item.file.path);
      return true;
    } catch (error) {
      const reason = (error as Error).message;
      await run.options.log?.(`could not read ${item.relativePath}: ${reason}`, 'warn');
      // Gone since the walk saw it: nothing to record.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      run.summary.failed++;
      run.noteUnreadable(item.file.path, reason);
      batch.failures.push({ file: item.file, reason });
      return false;
    }
  }

  /**
   * Hands what the walk gathered to the pipeline: its files are read while the previous batch is
   * written, and it is written after that one. Returns once the previous batch has been read and
   * the one before it written.
   */
  private async flush(run: ScanRun): Promise<void> {
    if (run.pending === 0 && run.changedNfos.length === 0) return;
    run.options.signal?.throwIfAborted();
    const batch: ScanBatch = {
      news: run.news.splice(0),
      changed: run.changed.splice(0),
      gone: run.gone.splice(0),
      restored: run.restored.splice(0),
      changedNfos: run.changedNfos.splice(0),
      forgotten: run.forgotten.splice(0),
      failures: [],
    };
    await run.preparing;
    await run.writingBefore;
    const prepared = this.prepareBatch(run, batch);
    const written = Promise.all([prepared, run.writing]).then(([news]) => this.write(run, batch, news));
    run.preparing = prepared;
    run.writingBefore = run.writing;
    run.writing = written;
    prepared.catch(() => undefined);
    written.catch(() => undefined);
  }

  /** Flushes, then waits until every batch has been written and its jobs queued (and throws what went wrong). */
  private async drain(run: ScanRun): Promise<void> {
    await this.flush(run);
    await run.writing;
    await run.enqueuing;
  }

  /**
   * The batch's new files that could be read, in walk order. Changed files get their new oshash,
   * changed tracks their tags read again (a track that no longer reads stays where it was; its probe
   * fails with the reason), and changed archives their pages listed again.
   */
  private async prepareBatch(run: ScanRun, batch: ScanBatch): Promise<NewFile[]> {
    const ok = await mapLimited(batch.news, PREPARE_CONCURRENCY, (item) => this.prepare(run, batch, item));
    await mapLimited(batch.changed, PREPARE_CONCURRENCY, async (entry) => {
      if (hasOshash(entry.file.size)) entry.oshash = await oshash(entry.file.path).catch(() => undefined);
      if (entry.classification.kind === 'track')
        entry.tags = await readAudioTags(entry.file.path, { timeoutMs: 30_000 }).catch(async (error: Error) => {
          await run.options.log?.(`could not read the tags of ${entry.relativePath} again: ${error.message}`, 'warn');
          return undefined;
        });
      if (entry.classification.kind === 'archive')
        entry.entries = await listZipImages(entry.file.path).catch(async (error: Error) => {
          await run.options.log?.(`could not list the pages of ${entry.relativePath} again: ${error.message}`, 'warn');
          return undefined;
        });
    });
    return batch.news.filter((_item, index) => ok[index]);
  }

  private async write(run: ScanRun, batch: ScanBatch, prepared: NewFile[]): Promise<void> {
    run.options.signal?.throwIfAborted();
    const { changed, gone, restored, changedNfos, failures, forgotten } = batch;
    const moves = await this.findMoves(run, prepared);

    const downstream: ScannedFile[] = [];
    const sidecarTargets: SidecarTarget[] = [];
    try {
      await this.dataSource.transaction(async (manager) => {
        if (moves.size) {
          const moved = [...moves];
          const files = moved.filter(([, from]) => from.archiveEntry === '');
          const archives = moved.filter(([, from]) => from.archiveEntry !== '');
          if (files.length)
            await manager.query(
              `UPDATE media_files f SET path = m.path, folder = m.folder, size = m.size, mtime = m.mtime, "missingSince" = NULL, "updatedAt" = now()
               FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[]) AS m(id, path, folder, size, mtime)
               WHERE f.id = m.id`,
              [
                files.map(([, from]) => from.id),
                files.map(([item]) => item.file.path),
                files.map(([item]) => dirname(item.file.path)),
                files.map(([item]) => item.file.size),
                files.map(([item]) => new Date(Math.floor(item.file.mtimeMs))),
              ],
            );
          // An archive's rows, one per page, all move with it.
          const [pages] = archives.length
            ? await manager.query<[{ itemId: string }[], number]>(
                `UPDATE media_files f SET path = m.path, folder = m.folder, size = m.size, mtime = m.mtime, "missingSince" = NULL, "updatedAt" = now()
                 FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[]) AS m("from", path, folder, size, mtime)
                 WHERE f."libraryId" = $1 AND f.path = m."from"
                 RETURNING f."itemId"`,
                [
                  run.library.id,
                  archives.map(([, from]) => from.path),
                  archives.map(([item]) => item.file.path),
                  archives.map(([item]) => dirname(item.file.path)),
                  archives.map(([item]) => item.file.size),
                  archives.map(([item]) => new Date(Math.floor(item.file.mtimeMs))),
                ],
              )
            : [[]];
          await manager.query(`UPDATE media_items SET "missingSince" = NULL WHERE id = ANY($1::uuid[])`, [
            [...files.map(([, from]) => from.itemId), ...pages.map((page) => page.itemId)],
          ]);
          await this.replace(
            manager,
            run,
            files.map(([item, from]) => ({ item, itemId: from.itemId })),
            sidecarTargets,
          );
          await this.replaceGalleries(manager, archives);
          run.summary.moved += moved.length;
        }
        if (changed.length) {
          await manager.query(
            `UPDATE media_files f SET size = c.size, mtime = c.mtime, oshash = c.oshash, md5 = NULL, phash = NULL, "probedAt" = NULL,
                    "fingerprintedAt" = NULL, "missingSince" = NULL, "updatedAt" = now()
             FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::text[]) AS c(path, size, mtime, oshash)
             WHERE f.path = c.path`,
            [
              changed.map((entry) => entry.file.path),
              changed.map((entry) => entry.file.size),
              changed.map((entry) => new Date(Math.floor(entry.file.mtimeMs))),
              changed.map((entry) => entry.oshash ?? null),
            ],
          );
          for (const entry of changed.filter((entry) => !entry.entries))
            for (const row of entry.rows)
              downstream.push({
                id: row.id,
                category: this.categoryOf(row.path, row.archiveEntry),
                itemId: row.itemId,
                label: basename(row.path),
              });
          await this.repage(
            manager,
            run,
            changed.filter((entry) => entry.entries),
            downstream,
          );
          // A re-tagged track may now belong to another album (or artist), have another title…
          await this.replace(
            manager,
            run,
            changed
              .filter((entry) => entry.tags && entry.rows.length === 1)
              .map((entry) => ({ item: entry, itemId: entry.rows[0].itemId })),
            sidecarTargets,
          );
          run.summary.changed += changed.length;
        }
        if (gone.length) {
          // Unless a move (of this batch or one written since the walk saw the file gone) gave the row a new path.
          const [, count] = await manager.query<[unknown, number]>(
            `UPDATE media_files f SET "missingSince" = now() FROM unnest($1::uuid[], $2::text[]) AS g(id, path)
             WHERE f.id = g.id AND f.path = g.path AND f."missingSince" IS NULL`,
            [gone.map((row) => row.id), gone.map((row) => row.path)],
          );
          run.summary.missing += Number(count ?? 0);
        }
        if (restored.length) {
          await manager.query(`UPDATE media_files SET "missingSince" = NULL WHERE id = ANY($1)`, [restored.map((row) => row.id)]);
          run.summary.restored += restored.length;
        }
        const fresh = prepared.filter((item) => !moves.has(item));
        await this.insertNew(manager, run, fresh, downstream, sidecarTargets);
        await this.recordUnreadable(manager, run, failures, [
          ...forgotten,
          ...prepared.filter((item) => item.wasUnreadable).map((item) => item.file.path),
        ]);
      });
    } catch (error) {
      run.containers.forgetAll();
      throw error;
    }
    if (run.options.enqueueDownstream !== false) {
      await run.enqueuing;
      const enqueued = this.pipeline.afterScan(downstream);
      run.enqueuing = enqueued;
      enqueued.catch(() => undefined);
    }
    await this.sidecarWork.apply(sidecarTargets, run.sidecars, run.options.log);
    if (changedNfos.length) await this.sidecarWork.reapplyNfos(run.library, changedNfos, run.options.log);
  }

  /**
   * Items whose file moved or changed follow it: under the parent its new path (or, for a track,
   * its new tags) names, with the fields the file decides written again unless locked. A moved film
   * takes the group key of its new folder. New containers are created as for new files; the ones
   * left empty are marked missing at the end of the scan.
   */
  private async replace(
    manager: EntityManager,
    run: ScanRun,
    entries: { item: WalkedMedia; itemId: string }[],
    sidecarTargets: SidecarTarget[],
  ): Promise<void> {
    if (entries.length === 0) return;
    const placed = entries.map(({ item, itemId }) => ({
      item,
      itemId,
      placement: placeFile(item.classification, item.relativePath, { libraryName: run.library.name, tags: item.tags }),
    }));
    await run.containers.resolveAll(
      manager,
      placed.flatMap(({ placement }) => (placement?.mode === 'leaf' && placement.parent ? [placement.parent] : [])),
    );
    const replacements: Replacement[] = [];
    const regrouped: { itemId: string; groupKey: string }[] = [];
    for (const { item, itemId, placement } of placed) {
      if (!placement) continue;
      if (placement.mode === 'container') {
        regrouped.push({ itemId, groupKey: placement.container.groupKey });
        run.filmsByDir.set(toPosix(dirname(item.relativePath)).replace(/^\.$/, ''), itemId);
        continue;
      }
      let parentId: string | null | undefined;
      if (placement.parent) parentId = this.noteNewContainers(run, placement.parent, item, sidecarTargets).id;
      // An extra whose film cannot be found stays with the one it had.
      if (placement.extraOwnerDir !== undefined) parentId = (await this.extraOwner(manager, run, placement.extraOwnerDir)) ?? undefined;
      replacements.push({ itemId, parentId, fields: fileDerivedFields(placement.leaf) });
    }
    await replaceItems(manager, replacements);
    await regroupContainers(manager, regrouped);
  }

  /** A moved archive's gallery takes its new group key, and its new name unless the title was set by hand. */
  private async replaceGalleries(manager: EntityManager, archives: [NewFile, ExistingFile][]): Promise<void> {
    if (archives.length === 0) return;
    const pages = await manager.query<{ id: string; parentId: string | null }[]>(
      `SELECT id, "parentId" FROM media_items WHERE id = ANY($1)`,
      [archives.map(([, from]) => from.itemId)],
    );
    const galleryOf = new Map(pages.map((page) => [page.id, page.parentId]));
    const galleries: { itemId: string; groupKey: string; from: string; to: string }[] = [];
    for (const [item, from] of archives) {
      const galleryId = galleryOf.get(from.itemId);
      if (!galleryId) continue;
      const spec = archiveGallery(item.relativePath);
      galleries.push({ itemId: galleryId, groupKey: spec.groupKey, from: basename(from.path, extname(from.path)), to: spec.title });
    }
    if (galleries.length === 0) return;
    await regroupContainers(manager, galleries);
    await manager.query(
      `UPDATE media_items i SET title = g.title, "updatedAt" = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS g(id, "from", title)
       WHERE i.id = g.id AND i.type = 'gallery' AND i.title = g."from" AND NOT (i."lockedFields" && ARRAY['title', '*'])`,
      [galleries.map((gallery) => gallery.itemId), galleries.map((gallery) => gallery.from), galleries.map((gallery) => gallery.to)],
    );
  }

  /** Records the files that could not be read, and forgets the records of files read since or gone. */
  private async recordUnreadable(manager: EntityManager, run: ScanRun, failures: FailedFile[], cleared: string[]): Promise<void> {
    if (cleared.length)
      await manager.query(`DELETE FROM unreadable_files WHERE "libraryId" = $1 AND path = ANY($2)`, [run.library.id, cleared]);
    const byPath = new Map(failures.map((failure) => [failure.file.path, failure]));
    if (byPath.size === 0) return;
    const unique = [...byPath.values()];
    await manager.query(
      `INSERT INTO unreadable_files ("libraryId", path, folder, size, mtime, reason)
       SELECT $1, u.path, u.folder, u.size, u.mtime, u.reason
       FROM unnest($2::text[], $3::text[], $4::bigint[], $5::timestamptz[], $6::text[]) AS u(path, folder, size, mtime, reason)
       ON CONFLICT (path) DO UPDATE SET "libraryId" = EXCLUDED."libraryId", folder = EXCLUDED.folder, size = EXCLUDED.size,
         mtime = EXCLUDED.mtime, reason = EXCLUDED.reason, "updatedAt" = now()`,
      [
        run.library.id,
        unique.map((failure) => failure.file.path),
        unique.map((failure) => dirname(failure.file.path)),
        unique.map((failure) => failure.file.size),
        unique.map((failure) => new Date(Math.floor(failure.file.mtimeMs))),
        unique.map((failure) => failure.reason),
      ],
    );
  }

  private categoryOf(path: string, archiveEntry: string): ScannedFile['category'] {
    if (archiveEntry) return 'image';
    const category = mediaCategory(basename(path));
    return category === 'audio' || category === 'image' ? category : 'video';
  }

  /** New paths whose content (size + oshash) matches a catalogued file that is no longer where it was. */
  private async findMoves(run: ScanRun, items: NewFile[]): Promise<Map<NewFile, ExistingFile>> {
    const moves = new Map<NewFile, ExistingFile>();
    // A library that was empty when the scan began has nothing to move.
    if (run.expectedFiles === 0) return moves;
    const hashed = items.filter((item) => item.oshash);
    if (hashed.length === 0) return moves;
    // One row per path: an archive has one per page, all with the archive's oshash.
    const rows = await this.dataSource.query<(ExistingFile & { oshash: string })[]>(
      `SELECT DISTINCT ON (path) id, path, "archiveEntry", size::float8 AS size, "itemId", oshash, "missingSince" IS NOT NULL AS missing
       FROM media_files WHERE "libraryId" = $1 AND oshash = ANY($2) ORDER BY path, "archiveEntry"`,
      [run.library.id, [...new Set(hashed.map((item) => item.oshash))]],
    );
    const byHash = new Map<string, (ExistingFile & { oshash: string })[]>();
    for (const row of rows) byHash.set(row.oshash, [...(byHash.get(row.oshash) ?? []), row]);
    const taken = new Set<string>();
    for (const item of hashed) {
      for (const candidate of byHash.get(item.oshash!) ?? []) {
        if (taken.has(candidate.id) || candidate.size !== item.file.size) continue;
        // A plain file matches a plain file, an archive an archive.
        if ((candidate.archiveEntry !== '') !== (item.classification.kind === 'archive')) continue;
        const stillThere = await access(candidate.path).then(
          () => true,
          () => false,
        );
        if (stillThere) continue;
        taken.add(candidate.id);
        moves.set(item, candidate);
        break;
      }
    }
    return moves;
  }

  private async insertNew(
    manager: EntityManager,
    run: ScanRun,
    items: NewFile[],
    downstream: ScannedFile[],
    sidecarTargets: SidecarTarget[],
  ): Promise<void> {
    const leaves: NewLeafRow[] = [];
    const files: NewFileRow[] = [];
    // Where each file goes, then every container the batch needs in one upsert per level of the tree.
    const placed = items.map((item) => ({
      item,
      placement:
        item.classification.kind === 'archive'
          ? undefined
          : placeFile(item.classification, item.relativePath, { libraryName: run.library.name, tags: item.tags }),
    }));
    await run.containers.resolveAll(
      manager,
      placed.flatMap(({ item, placement }) => {
        if (item.classification.kind === 'archive') return [archiveGallery(item.relativePath)];
        if (placement?.mode === 'container') return [placement.container];
        return placement?.parent ? [placement.parent] : [];
      }),
    );
    for (const { item, placement } of placed) {
      const mtime = new Date(Math.floor(item.file.mtimeMs));
      const relativeDir = toPosix(dirname(item.relativePath)).replace(/^\.$/, '');
      if (item.classification.kind === 'archive') {
        const gallery = run.containers.get(archiveGallery(item.relativePath));
        for (const [page, entry] of inReadingOrder(item.entries ?? []).entries()) {
          const leafId = randomUUID();
          leaves.push({
            id: leafId,
            parentId: gallery.id,
            type: 'image',
            title: basename(entry.name, extname(entry.name)),
            indexNumber: page + 1,
          });
          const fileId = randomUUID();
          files.push({
            id: fileId,
            itemId: leafId,
            path: item.file.path,
            archiveEntry: entry.name,
            category: 'image',
            size: item.file.size,
            mtime,
            oshash: item.oshash ?? null,
          });
          downstream.push({ id: fileId, category: 'image', itemId: leafId, label: `${item.file.name} › ${entry.name}` });
        }
        run.summary.added++;
        continue;
      }
      if (!placement) {
        run.summary.ignored++;
        continue;
      }
      let itemId: string;
      if (placement.mode === 'container') {
        const film = run.containers.get(placement.container);
        itemId = film.id;
        run.filmsByDir.set(relativeDir, film.id);
        sidecarTargets.push({ kind: 'movie', itemId, created: film.created, filePath: item.file.path });
      } else {
        let parentId: string | null = null;
        if (placement.parent) parentId = this.noteNewContainers(run, placement.parent, item, sidecarTargets).id;
        if (placement.extraOwnerDir !== undefined) parentId = await this.extraOwner(manager, run, placement.extraOwnerDir);
        itemId = randomUUID();
        leaves.push({ id: itemId, parentId, ...placement.leaf });
        if (placement.leaf.type === 'episode')
          sidecarTargets.push({
            kind: 'episode',
            itemId,
            created: true,
            filePath: item.file.path,
            episode: placement.leaf.indexNumber ?? null,
            lastEpisode: placement.leaf.indexNumberEnd ?? null,
          });
      }
      const category = this.categoryOf(item.file.path, '');
      const fileId = randomUUID();
      files.push({
        id: fileId,
        itemId,
        path: item.file.path,
        archiveEntry: '',
        category,
        size: item.file.size,
        mtime,
        oshash: item.oshash ?? null,
      });
      downstream.push({ id: fileId, category, itemId, label: item.file.name });
      run.summary.added++;
    }
    await this.insertLeaves(manager, run, leaves);
    await this.insertFiles(manager, run, files);
  }

  private async insertLeaves(manager: EntityManager, run: ScanRun, leaves: NewLeafRow[]): Promise<void> {
    if (leaves.length === 0) return;
    await manager.query(
      `INSERT INTO media_items (id, "libraryId", "parentId", type, title, year, "indexNumber", "indexNumberEnd", "parentIndexNumber",
                                "absoluteNumber", "premiereDate", "extraType", "albumTitle", artists, genres)
       SELECT l.id, $1, l."parentId", l.type::media_item_type, l.title, l.year, l."indexNumber", l."indexNumberEnd", l."parentIndexNumber",
              l."absoluteNumber", l."premiereDate", l."extraType", l."albumTitle",
              ARRAY(SELECT jsonb_array_elements_text(l.artists)), ARRAY(SELECT jsonb_array_elements_text(l.genres))
       FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[], $9::int[], $10::int[], $11::date[],
                   $12::text[], $13::text[], $14::jsonb[], $15::jsonb[])
         AS l(id, "parentId", type, title, year, "indexNumber", "indexNumberEnd", "parentIndexNumber", "absoluteNumber", "premiereDate",
              "extraType", "albumTitle", artists, genres)`,
      [
        run.library.id,
        leaves.map((l) => l.id),
        leaves.map((l) => l.parentId),
        leaves.map((l) => l.type),
        leaves.map((l) => l.title),
        leaves.map((l) => l.year ?? null),
        leaves.map((l) => l.indexNumber ?? null),
        leaves.map((l) => l.indexNumberEnd ?? null),
        leaves.map((l) => l.parentIndexNumber ?? null),
        leaves.map((l) => l.absoluteNumber ?? null),
        leaves.map((l) => l.premiereDate ?? null),
        leaves.map((l) => l.extraType ?? null),
        leaves.map((l) => l.albumTitle ?? null),
        leaves.map((l) => JSON.stringify(l.artists ?? [])),
        leaves.map((l) => JSON.stringify(l.genres ?? [])),
      ],
    );
  }

  private async insertFiles(manager: EntityManager, run: ScanRun, files: NewFileRow[]): Promise<void> {
    if (files.length === 0) return;
    await manager.query(
      `INSERT INTO media_files (id, "itemId", "libraryId", path, folder, "archiveEntry", category, size, mtime, oshash)
       SELECT f.id, f."itemId", $1, f.path, f.folder, f."archiveEntry", f.category, f.size, f.mtime, f.oshash
       FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::timestamptz[], $10::text[])
         AS f(id, "itemId", path, folder, "archiveEntry", category, size, mtime, oshash)`,
      [
        run.library.id,
        files.map((f) => f.id),
        files.map((f) => f.itemId),
        files.map((f) => f.path),
        files.map((f) => dirname(f.path)),
        files.map((f) => f.archiveEntry),
        files.map((f) => f.category),
        files.map((f) => f.size),
        files.map((f) => f.mtime),
        files.map((f) => f.oshash),
      ],
    );
  }

  /**
   * Archives changed in place: pages still there keep their items (renumbered in reading order) and
   * are processed again, new entries become pages of the gallery, and a page no longer there loses
   * its file row and its item is marked missing, kept for the clean-up job like a deleted file's.
   */
  private async repage(manager: EntityManager, run: ScanRun, archives: ChangedFile[], downstream: ScannedFile[]): Promise<void> {
    if (archives.length === 0) return;
    const specs = archives.map((archive) => archiveGallery(archive.relativePath));
    await run.containers.resolveAll(manager, specs);
    const renumbered: { itemId: string; indexNumber: number }[] = [];
    const removed: { id: string; itemId: string }[] = [];
    const leaves: NewLeafRow[] = [];
    const files: NewFileRow[] = [];
    for (const [index, archive] of archives.entries()) {
      const gallery = run.containers.get(specs[index]);
      const plan = planArchivePages(archive.rows, archive.entries!);
      const label = (entry: string) => `${archive.file.name} › ${entry}`;
      for (const { page, indexNumber } of plan.kept) {
        renumbered.push({ itemId: page.itemId, indexNumber });
        downstream.push({ id: page.id, category: 'image', itemId: page.itemId, label: label(page.archiveEntry) });
      }
      for (const { name, indexNumber } of plan.added) {
        const leafId = randomUUID();
        const fileId = randomUUID();
        leaves.push({ id: leafId, parentId: gallery.id, type: 'image', title: basename(name, extname(name)), indexNumber });
        files.push({
          id: fileId,
          itemId: leafId,
          path: archive.file.path,
          archiveEntry: name,
          category: 'image',
          size: archive.file.size,
          mtime: new Date(Math.floor(archive.file.mtimeMs)),
          oshash: archive.oshash ?? null,
        });
        downstream.push({ id: fileId, category: 'image', itemId: leafId, label: label(name) });
      }
      removed.push(...plan.removed);
    }
    if (renumbered.length)
      await manager.query(
        `UPDATE media_items i SET "indexNumber" = r."indexNumber", "updatedAt" = now()
         FROM unnest($1::uuid[], $2::int[]) AS r(id, "indexNumber")
         WHERE i.id = r.id AND i."indexNumber" IS DISTINCT FROM r."indexNumber"`,
        [renumbered.map((page) => page.itemId), renumbered.map((page) => page.indexNumber)],
      );
    if (removed.length) {
      // The page's file row goes (the entry no longer exists); its item stays, missing, until the clean-up job.
      await manager.query(`DELETE FROM media_files WHERE id = ANY($1::uuid[])`, [removed.map((page) => page.id)]);
      await manager.query(`UPDATE media_items SET "missingSince" = now() WHERE id = ANY($1::uuid[]) AND "missingSince" IS NULL`, [
        removed.map((page) => page.itemId),
      ]);
      run.summary.missing += removed.length;
    }
    await this.insertLeaves(manager, run, leaves);
    await this.insertFiles(manager, run, files);
  }

  /** A leaf's resolved parent, noting new series/seasons/albums so their sidecars get read. */
  private noteNewContainers(
    run: ScanRun,
    spec: NonNullable<Extract<Placement, { mode: 'leaf' }>['parent']>,
    item: WalkedMedia,
    sidecarTargets: SidecarTarget[],
  ): ResolvedContainer {
    const resolved = run.containers.get(spec);
    if (resolved.created) {
      if (spec.type === 'season' && spec.parent && item.classification.kind === 'episode') {
        const series = run.containers.get(spec.parent);
        const seriesDir = item.classification.episode.seriesDir ? join(item.root, item.classification.episode.seriesDir) : undefined;
        if (series.created && seriesDir) sidecarTargets.push({ kind: 'series', itemId: series.id, created: true, dir: seriesDir });
        sidecarTargets.push({
          kind: 'season',
          itemId: resolved.id,
          created: true,
          dir: dirname(item.file.path),
          seriesDir,
          season: spec.indexNumber ?? 0,
        });
      } else if (spec.type === 'series' && item.classification.kind === 'episode' && item.classification.episode.seriesDir) {
        sidecarTargets.push({
          kind: 'series',
          itemId: resolved.id,
          created: true,
          dir: join(item.root, item.classification.episode.seriesDir),
        });
      } else if (spec.type === 'album') {
        sidecarTargets.push({ kind: 'album', itemId: resolved.id, created: true, dir: dirname(item.file.path) });
      }
    }
    return resolved;
  }

  /** The film (or series) an extras folder belongs to. */
  private async extraOwner(manager: EntityManager, run: ScanRun, ownerDir: string): Promise<string | null> {
    const film = run.filmsByDir.get(ownerDir);
    if (film) return film;
    const folders = run.library.folders.map((root) => (ownerDir ? join(root, ownerDir) : root));
    const [row] = await manager.query<{ id: string }[]>(
      `SELECT i.id FROM media_items i JOIN media_files f ON f."itemId" = i.id
       WHERE f."libraryId" = $1 AND f.folder = ANY($2) AND i.type = 'movie' ORDER BY i."addedAt" LIMIT 1`,
      [run.library.id, folders],
    );
    if (row) return row.id;
    const [series] = await manager.query<{ id: string }[]>(
      `SELECT id FROM media_items WHERE "libraryId" = $1 AND type = 'series' AND "groupKey" = $2`,
      [run.library.id, `series:${ownerDir}`],
    );
    return series?.id ?? null;
  }

  /** After a full walk of `root`: catalogued files in folders the walk never reached are gone. */
  private async markUnvisitedMissing(run: ScanRun, root: string, visited: Set<string>): Promise<void> {
    const parameters = [run.library.id, root, `${root.replace(/[\\%_]/g, '\\$&')}/%`, [...visited]];
    const [, count] = await this.dataSource.query(
      `UPDATE media_files SET "missingSince" = now()
       WHERE "libraryId" = $1 AND "missingSince" IS NULL AND (folder = $2 OR folder LIKE $3) AND NOT (folder = ANY($4))`,
      parameters,
    );
    run.summary.missing += Number(count ?? 0);
    await this.dataSource.query(
      `DELETE FROM unreadable_files WHERE "libraryId" = $1 AND (folder = $2 OR folder LIKE $3) AND NOT (folder = ANY($4))`,
      parameters,
    );
  }

  private async markPathMissing(run: ScanRun, path: string): Promise<void> {
    const parameters = [run.library.id, path, `${path.replace(/[\\%_]/g, '\\$&')}/%`];
    const [, count] = await this.dataSource.query(
      `UPDATE media_files SET "missingSince" = now()
       WHERE "libraryId" = $1 AND "missingSince" IS NULL AND (path = $2 OR path LIKE $3)`,
      parameters,
    );
    run.summary.missing += Number(count ?? 0);
    await this.dataSource.query(`DELETE FROM unreadable_files WHERE "libraryId" = $1 AND (path = $2 OR path LIKE $3)`, parameters);
  }

  /**
   * Items are missing exactly when all their files are; containers (series, seasons, albums,
   * artists, galleries) when all their children are, or when they have none left (their last
   * track was re-tagged into another album, their last picture moved elsewhere). Files that came
   * back restore them; the clean-up job deletes what stays missing.
   */
  private async propagateMissing(libraryId: string): Promise<void> {
    await this.dataSource.query(
      `WITH s AS (
         SELECT f."itemId" AS id, bool_or(f."missingSince" IS NULL) AS present FROM media_files f WHERE f."libraryId" = $1 GROUP BY f."itemId"
       )
       UPDATE media_items i SET "missingSince" = CASE WHEN s.present THEN NULL ELSE now() END
       FROM s WHERE s.id = i.id AND (i."missingSince" IS NULL) <> s.present`,
      [libraryId],
    );
    for (const types of [
      ['season', 'album', 'gallery'],
      ['series', 'artist'],
    ]) {
      await this.dataSource.query(
        `WITH s AS (
           SELECT c.id, coalesce(bool_or(ch."missingSince" IS NULL) FILTER (WHERE ch.id IS NOT NULL), false) AS present
           FROM media_items c LEFT JOIN media_items ch ON ch."parentId" = c.id
           WHERE c."libraryId" = $1 AND c.type = ANY($2::media_item_type[]) GROUP BY c.id
         )
         UPDATE media_items i SET "missingSince" = CASE WHEN s.present THEN NULL ELSE now() END
         FROM s WHERE s.id = i.id AND (i."missingSince" IS NULL) <> s.present`,
        [libraryId, types],
      );
    }
  }
}
