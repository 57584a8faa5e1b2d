import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface NewFolderSweepOptions {
  /** chokidar reports a file once its size has not changed for this long (its awaitWriteFinish). */
  stabilityMs: number;
  /** How often chokidar checks a growing file. */
  pollMs: number;
  /** Names the watcher skips (litter, partial files); a skipped folder is not entered. */
  isIgnored: (path: string) => boolean;
  /** A folder still being filled is looked at again for at most this long. */
  giveUpAfterMs?: number;
  /** At most this many entries are listed per folder (a new folder is small; a moved-in tree may not be). */
  maxEntries?: number;
}

/** A path the sweep reported is not reported again when chokidar catches up with it within this long. */
const REPORTED_MEMORY_MS = 10 * 60_000;

/**
 * chokidar misses a file created in a brand-new folder between its listing of the folder and the
 * start of its watch on it (paulmillr/chokidar#1471, still open in v5): copying a film's folder into
 * a library can leave one of its files unreported until the next scheduled scan.
 *
 * So a while after a folder appears, this lists it and reports each file chokidar has not, once the
 * file has stopped changing for longer than chokidar would have needed to report it itself. A folder
 * still being filled is listed again until every file in it has been reported (or it is given up).
 * When chokidar reports a path the sweep already did, `shouldPass` says to drop it.
 */
export class NewFolderSweep {
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; since: number }>();
  /** Paths chokidar reported while sweeps were pending, and paths the sweep reported, with when. */
  private readonly reported = new Map<string, { at: number; bySweep: boolean }>();
  private stopped = false;

  constructor(
    private readonly report: (path: string) => void,
    private readonly options: NewFolderSweepOptions,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** How long after its last change a file chokidar missed is taken as complete. */
  private get settledMs(): number {
    return 2 * this.options.stabilityMs + this.options.pollMs;
  }

  /** chokidar reported `path` as added: false when the sweep already reported it (a duplicate). */
  shouldPass(path: string): boolean {
    const known = this.reported.get(path);
    if (known?.bySweep && Date.now() - known.at < REPORTED_MEMORY_MS) return false;
    if (this.pending.size > 0) this.reported.set(path, { at: Date.now(), bySweep: false });
    return true;
  }

  folderAdded(folder: string): void {
    if (this.stopped || this.pending.has(folder)) return;
    this.schedule(folder, Date.now());
  }

  stop(): void {
    this.stopped = true;
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    this.reported.clear();
  }

  private schedule(folder: string, since: number): void {
    const timer = setTimeout(() => {
      void this.sweep(folder).then(
        (done) => this.afterSweep(folder, since, done),
        (error: unknown) => {
          this.pending.delete(folder);
          this.onError(error);
        },
      );
    }, this.settledMs);
    timer.unref();
    this.pending.set(folder, { timer, since });
  }

  private afterSweep(folder: string, since: number, done: boolean): void {
    this.pending.delete(folder);
    if (this.stopped) return;
    if (!done && Date.now() - since < (this.options.giveUpAfterMs ?? 6 * 60 * 60_000)) this.schedule(folder, since);
    if (this.pending.size === 0) this.forgetOld();
  }

  /** Reports the settled files chokidar has not; true when nothing in the folder is left to wait for. */
  private async sweep(folder: string): Promise<boolean> {
    let done = true;
    for (const file of await this.files(folder)) {
      if (this.reported.has(file)) continue;
      const info = await stat(file).catch(() => undefined);
      // Gone again, or reported meanwhile by the sweep of a folder inside this one.
      if (!info || this.reported.has(file)) continue;
      if (Date.now() - Math.max(info.mtimeMs, info.ctimeMs) < this.settledMs) {
        done = false;
        continue;
      }
      if (this.stopped) return true;
      this.reported.set(file, { at: Date.now(), bySweep: true });
      this.report(file);
    }
    return done;
  }

  /** Regular files under `folder`, not following symlinks, skipping what the watcher ignores. */
  private async files(folder: string): Promise<string[]> {
    const found: string[] = [];
    const maxEntries = this.options.maxEntries ?? 10_000;
    let listed = 0;
    const queue = [folder];
    while (queue.length > 0 && listed < maxEntries) {
      const dir = queue.shift()!;
      const entries: Dirent[] = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (++listed > maxEntries) break;
        const path = join(dir, entry.name);
        if (this.options.isIgnored(path)) continue;
        if (entry.isDirectory()) queue.push(path);
        else if (entry.isFile()) found.push(path);
      }
    }
    return found;
  }

  private forgetOld(): void {
    const now = Date.now();
    for (const [path, { at, bySweep }] of this.reported) {
      if (!bySweep || now - at >= REPORTED_MEMORY_MS) this.reported.delete(path);
    }
  }
}
