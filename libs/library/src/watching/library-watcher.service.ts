import { basename } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { LibraryScanPayload } from '@marquee/contracts';
import { JobLedger } from '@marquee/jobs';
import { type FSWatcher, watch } from 'chokidar';
import { DataSource, type QueryRunner } from 'typeorm';
import { Library } from '../entities/library.entity.js';
import { isInside } from '../libraries/folder-policy.js';
import { ChangeDebouncer, DEFAULT_DEBOUNCE } from './change-debouncer.js';
import { NewFolderSweep } from './new-folder-sweep.js';

export interface LibraryWatcherOptions {
  /** Default: on, unless the environment has MARQUEE_WATCH=false (or 0/off/no). */
  enabled: boolean;
  /** A batch of changes is scanned after this long without a new one… */
  quietMs: number;
  /** …or this long after its first change at the latest. */
  maxWaitMs: number;
  /** More paths than this in one batch: the library's folders are scanned instead. */
  maxPaths: number;
  /** A new or changed file is reported once its size has not changed for this long (half-copied files wait). */
  stabilityMs: number;
  /** How often a growing file's size is checked. */
  pollMs: number;
  /** How often the holder re-reads the library list (added, removed, changed folders). */
  refreshMs: number;
  /** How often a worker without the lock tries to take it. */
  lockRetryMs: number;
}

/** Options for one LibraryWatcher (a test provides this token; the worker uses the defaults). */
export const LIBRARY_WATCHER_OPTIONS = Symbol('LIBRARY_WATCHER_OPTIONS');

/** The session advisory lock that makes one worker the watcher: `pg_try_advisory_lock(hashtext(WATCHER_LOCK))`. */
export const WATCHER_LOCK = 'library-watcher';

const DEFAULT_OPTIONS: Omit<LibraryWatcherOptions, 'enabled'> = {
  quietMs: DEFAULT_DEBOUNCE.quietMs,
  maxWaitMs: DEFAULT_DEBOUNCE.maxWaitMs,
  maxPaths: DEFAULT_DEBOUNCE.maxPaths,
  stabilityMs: 2_000,
  pollMs: 200,
  refreshMs: 30_000,
  lockRetryMs: 30_000,
};

/** The same litter the scanner's walk skips, plus files still being written by us or by copy tools. */
const LITTER = new Set(['@eaDir', '#recycle', '$RECYCLE.BIN', 'lost+found']);
const PARTIAL_FILE = /\.(uploading|part|tmp)$/i;

/** MARQUEE_WATCH: false/0/off/no turn watching off; anything else (or unset) leaves it on. */
export function watchingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !/^(false|0|off|no)$/i.test(env.MARQUEE_WATCH?.trim() ?? '');
}

interface WatchedLibrary {
  id: string;
  name: string;
  folders: string[];
  watcher: FSWatcher;
  debouncer: ChangeDebouncer;
  newFolders: NewFolderSweep;
  ready: boolean;
}

export interface LibraryWatcherStatus {
  enabled: boolean;
  holdsLock: boolean;
  libraries: { id: string; folders: string[]; ready: boolean }[];
}

const folderKey = (folders: readonly string[]) => [...folders].sort().join('\0');

/**
 * Watches every folder of every library (chokidar) on one worker at a time, and turns what changes
 * into partial scans: changes are debounced per library, collapsed to a small set of paths and queued
 * as one `library-scan` job (a deleted path makes the scanner mark its files missing).
 *
 * Only the worker holding a PostgreSQL session advisory lock watches; the others retry every
 * `lockRetryMs`, so another worker takes over when the holder stops. The holder re-reads the
 * libraries every `refreshMs`. Errors are logged and never end the worker; when the system's limit
 * of file watches is reached (EMFILE/ENOSPC) the library is left to its scheduled scans.
 */
@Injectable()
export class LibraryWatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LibraryWatcher.name);
  private readonly options: LibraryWatcherOptions;
  private lock?: QueryRunner;
  private readonly watched = new Map<string, WatchedLibrary>();
  /** Libraries (with their folders) whose watch hit the system's limits: not retried until the folders change. */
  private readonly givenUp = new Map<string, string>();
  private limitWarned = false;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private running = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: JobLedger,
    @Optional() @Inject(LIBRARY_WATCHER_OPTIONS) options?: Partial<LibraryWatcherOptions>,
  ) {
    const defined = Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined));
    this.options = { enabled: watchingEnabled(), ...DEFAULT_OPTIONS, ...defined };
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Starts trying for the lock (at once, then every lockRetryMs); a no-op when watching is off. */
  start(): void {
    if (this.running) return;
    if (!this.options.enabled) {
      this.logger.log('library watching is off (MARQUEE_WATCH=false): changes are found by scheduled and manual scans');
      return;
    }
    this.running = true;
    this.schedule(0);
  }

  /** Stops watching and releases the lock, so another worker can take over. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
    // Changes seen but not yet queued are queued now rather than lost with this worker.
    if (this.lock) for (const entry of this.watched.values()) await entry.debouncer.flush();
    await this.unwatchAll();
    await this.releaseLock();
  }

  get holdsLock(): boolean {
    return this.lock !== undefined;
  }

  status(): LibraryWatcherStatus {
    return {
      enabled: this.options.enabled,
      holdsLock: this.holdsLock,
      libraries: [...this.watched.values()].map(({ id, folders, ready }) => ({ id, folders: [...folders], ready })),
    };
  }

  /** Runs one round now (take the lock if free, re-read the libraries) and waits for it. */
  async refreshNow(): Promise<void> {
    if (!this.running) return;
    await this.ticking;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.runTick();
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.runTick(), delayMs);
    this.timer.unref();
  }

  private runTick(): Promise<void> {
    const tick = this.tick().finally(() => {
      if (this.ticking === tick) this.ticking = undefined;
      if (this.running && !this.timer) this.schedule(this.lock ? this.options.refreshMs : this.options.lockRetryMs);
    });
    this.timer = undefined;
    this.ticking = tick;
    return tick;
  }

  private async tick(): Promise<void> {
    try {
      if (!this.lock && !(await this.acquireLock())) return;
      if (!(await this.lockAlive())) {
        this.logger.warn('lost the library-watcher lock (its database connection ended); watching stops until it is taken again');
        await this.unwatchAll();
        await this.releaseLock();
        return;
      }
      if (!this.running) return;
      await this.refresh();
    } catch (error) {
      this.logger.warn(`library watcher: ${(error as Error).message}`);
    }
  }

  private async acquireLock(): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const rows: { locked: boolean }[] = await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [WATCHER_LOCK]);
      const locked = rows[0]?.locked === true;
      if (!locked || !this.running) {
        if (locked) await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [WATCHER_LOCK]);
        await runner.release();
        return false;
      }
      this.lock = runner;
      this.logger.log('this worker watches the library folders (it holds the library-watcher lock)');
      return true;
    } catch (error) {
      await runner.release().catch(() => undefined);
      throw error;
    }
  }

  private async lockAlive(): Promise<boolean> {
    const lock = this.lock;
    if (!lock || lock.isReleased) return false;
    try {
      await lock.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private async releaseLock(): Promise<void> {
    const lock = this.lock;
    this.lock = undefined;
    if (!lock) return;
    if (!lock.isReleased) await lock.query(`SELECT pg_advisory_unlock(hashtext($1))`, [WATCHER_LOCK]).catch(() => undefined);
    await lock.release().catch(() => undefined);
  }

  /** Brings the watchers in line with the libraries table. */
  private async refresh(): Promise<void> {
    const libraries = await this.dataSource.getRepository(Library).find({ select: { id: true, name: true, folders: true } });
    const present = new Set<string>();
    for (const library of libraries) {
      present.add(library.id);
      const folders = [...library.folders].sort();
      const key = folderKey(folders);
      if (this.givenUp.has(library.id)) {
        if (this.givenUp.get(library.id) === key) continue;
        this.givenUp.delete(library.id);
      }
      const current = this.watched.get(library.id);
      if (!current) {
        if (folders.length > 0) this.watchLibrary(library.id, library.name, folders);
        continue;
      }
      current.name = library.name;
      if (folderKey(current.folders) === key) continue;
      const added = folders.filter((folder) => !current.folders.includes(folder));
      const removed = current.folders.filter((folder) => !folders.includes(folder));
      current.folders = folders;
      if (removed.length > 0) current.watcher.unwatch(removed);
      if (added.length > 0) current.watcher.add(added);
      this.logger.log(`library "${library.name}": now watching ${folders.length} folder(s)`);
    }
    for (const id of [...this.watched.keys()]) if (!present.has(id)) await this.unwatchLibrary(id);
  }

  private watchLibrary(id: string, name: string, folders: string[]): void {
    const entry = { id, name, folders, ready: false } as WatchedLibrary;
    entry.debouncer = new ChangeDebouncer(
      () => entry.folders,
      (paths) => this.enqueueScan(entry, paths),
      { quietMs: this.options.quietMs, maxWaitMs: this.options.maxWaitMs, maxPaths: this.options.maxPaths },
      (error) => this.logger.warn(`library "${entry.name}": could not queue a scan of changed files: ${(error as Error).message}`),
    );
    entry.watcher = watch(folders, {
      ignoreInitial: true,
      persistent: true,
      // Like the scanner's walk, which follows only symlinks that stay inside the folder (watched anyway).
      followSymlinks: false,
      ignorePermissionErrors: true,
      awaitWriteFinish: { stabilityThreshold: this.options.stabilityMs, pollInterval: this.options.pollMs },
      ignored: (path: string) => this.ignored(path, entry.folders),
    });
    const changed = (path: string) => {
      if (this.lock && this.watched.get(id) === entry) entry.debouncer.add(path);
    };
    entry.newFolders = new NewFolderSweep(
      changed,
      { stabilityMs: this.options.stabilityMs, pollMs: this.options.pollMs, isIgnored: (path) => this.ignored(path, entry.folders) },
      (error) => this.logger.warn(`library "${entry.name}": could not list a new folder: ${(error as Error).message}`),
    );
    // A new folder is not scanned as a folder: chokidar reports each file in it with its own 'add' once
    // awaitWriteFinish saw it complete, whereas a scan of the folder at 'addDir' would catalogue files
    // still being copied into it (and a new empty folder has nothing to scan); NewFolderSweep reports
    // the files chokidar misses there. A removed folder is one path that covers everything in it.
    entry.watcher
      .on('add', (path: string) => entry.newFolders.shouldPass(path) && changed(path))
      .on('change', changed)
      .on('unlink', changed)
      .on('unlinkDir', changed)
      .on('addDir', (path: string) => {
        this.logger.debug(`library "${entry.name}": new folder ${path}`);
        if (entry.ready) entry.newFolders.folderAdded(path);
      })
      .on('ready', () => {
        entry.ready = true;
      })
      .on('error', (error: unknown) => this.watchError(entry, error));
    this.watched.set(id, entry);
    this.logger.log(`library "${name}": watching ${folders.length} folder(s) for changes`);
  }

  private ignored(path: string, roots: readonly string[]): boolean {
    if (roots.includes(path)) return false;
    const name = basename(path);
    return name.startsWith('.') || LITTER.has(name) || PARTIAL_FILE.test(name);
  }

  private watchError(entry: WatchedLibrary, error: unknown): void {
    const code = (error as NodeJS.ErrnoException)?.code;
    if (code === 'EMFILE' || code === 'ENOSPC') {
      const message =
        `cannot watch library "${entry.name}": the system's limit of file watches or open files is reached (${code}). ` +
        'Raise fs.inotify.max_user_watches / fs.inotify.max_user_instances (or the open-file limit) and restart the worker; ' +
        'until then this library is updated by its scheduled and manual scans only.';
      if (this.limitWarned) this.logger.debug(message);
      else this.logger.warn(message);
      this.limitWarned = true;
      this.givenUp.set(entry.id, folderKey(entry.folders));
      void this.unwatchLibrary(entry.id);
      return;
    }
    this.logger.warn(`watching library "${entry.name}": ${(error as Error)?.message ?? String(error)}`);
  }

  private async enqueueScan(entry: WatchedLibrary, paths: string[]): Promise<void> {
    if (!this.lock) return;
    const library = await this.dataSource.getRepository(Library).findOneBy({ id: entry.id });
    if (!library) return;
    const inside = paths.filter((path) => library.folders.some((folder) => isInside(folder, path)));
    if (inside.length === 0) return;
    const payload: LibraryScanPayload = { libraryId: library.id, paths: inside };
    const { id } = await this.ledger.enqueue(
      'library-scan',
      'scan',
      payload,
      { type: 'library', id: library.id, label: `${library.name} (${inside.length} path${inside.length === 1 ? '' : 's'})` },
      { priority: 'interactive' },
    );
    this.logger.log(`library "${library.name}": ${inside.length} changed path(s), queued scan ${id}`);
  }

  private async unwatchLibrary(id: string): Promise<void> {
    const entry = this.watched.get(id);
    if (!entry) return;
    this.watched.delete(id);
    entry.debouncer.dispose();
    entry.newFolders.stop();
    await entry.watcher.close().catch((error: Error) => this.logger.warn(`closing the watcher of "${entry.name}": ${error.message}`));
  }

  private async unwatchAll(): Promise<void> {
    for (const id of [...this.watched.keys()]) await this.unwatchLibrary(id);
  }
}
