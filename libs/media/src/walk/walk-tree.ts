import type { Stats } from 'node:fs';
import { opendir, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { mapLimited } from '../async/map-limited.js';

export interface WalkedFile {
  name: string;
  /** Absolute, through the symlinks that led here (not resolved). */
  path: string;
  size: number;
  mtimeMs: number;
}

export interface WalkedDirectory {
  /** Absolute. */
  dir: string;
  /** '' for the root, '/'-separated below it. */
  relativeDir: string;
  /** Sorted by name (code point order, the same on every machine). */
  files: WalkedFile[];
}

export interface WalkTreeOptions {
  /** Aborting stops the walk: the next step throws the signal's reason. */
  signal?: AbortSignal;
  /** Skip names starting with '.', and NAS/OS litter (@eaDir, #recycle, $RECYCLE.BIN, lost+found). Default true. */
  skipHidden?: boolean;
  /** Called for a directory that cannot be read or an entry that cannot be stat'ed; the walk goes on without it. */
  onError?: (path: string, error: Error) => void;
}

const LITTER = new Set(['@eaDir', '#recycle', '$RECYCLE.BIN', 'lost+found']);
const STAT_CONCURRENCY = 32;

interface PendingDirectory {
  dir: string;
  relativeDir: string;
}

/**
 * Walks a tree depth-first and yields one directory at a time with its files, so a library of
 * millions of files is never held in memory: only the current directory's entries and the stack of
 * directories still to visit. Subdirectories are visited in name order.
 *
 * Symlinks are followed only when their real path lies inside the root; a directory reached twice (a
 * symlink loop, or a link to a directory also reachable directly) is walked once. The root itself
 * must be readable: a missing or unreadable root throws rather than looking like an empty library.
 */
export async function* walkTree(root: string, options: WalkTreeOptions = {}): AsyncGenerator<WalkedDirectory> {
  const skipHidden = options.skipHidden ?? true;
  const top = resolve(root);
  const realRoot = await realpath(top);
  const rootStats = await stat(realRoot);
  if (!rootStats.isDirectory()) throw new Error(`cannot walk ${top}: it is not a directory`);
  const visited = new Set([identity(rootStats)]);
  const stack: PendingDirectory[] = [{ dir: top, relativeDir: '' }];
  const isInside = (real: string) => real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);

  while (stack.length > 0) {
    options.signal?.throwIfAborted();
    const current = stack.pop()!;
    let names: Array<{ name: string; isLink: boolean }>;
    try {
      names = await readNames(current.dir, skipHidden);
    } catch (error) {
      if (current.relativeDir === '') throw error;
      options.onError?.(current.dir, error as Error);
      continue;
    }
    const entries = await mapLimited(names, STAT_CONCURRENCY, async ({ name, isLink }) => {
      const path = join(current.dir, name);
      try {
        if (isLink && !isInside(await realpath(path))) return null;
        return { name, path, stats: await stat(path) };
      } catch (error) {
        // Gone since the directory was read, or a dangling symlink: nothing to report.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') options.onError?.(path, error as Error);
        return null;
      }
    });
    options.signal?.throwIfAborted();

    const files: WalkedFile[] = [];
    const subdirectories: PendingDirectory[] = [];
    // In name order, so that of two ways into one directory (a link and its target) the first name wins, whatever readdir's order.
    for (const entry of entries.filter((e) => e !== null).sort((a, b) => compareNames(a.name, b.name))) {
      if (entry.stats.isFile()) {
        files.push({ name: entry.name, path: entry.path, size: entry.stats.size, mtimeMs: entry.stats.mtimeMs });
      } else if (entry.stats.isDirectory() && !visited.has(identity(entry.stats))) {
        visited.add(identity(entry.stats));
        subdirectories.push({ dir: entry.path, relativeDir: current.relativeDir ? `${current.relativeDir}/${entry.name}` : entry.name });
      }
    }
    // Pushed in reverse so that they are popped, and walked, in name order (a loop: a spread could overflow the call stack).
    for (let i = subdirectories.length - 1; i >= 0; i--) stack.push(subdirectories[i]);
    yield { dir: current.dir, relativeDir: current.relativeDir, files };
  }
}

async function readNames(dir: string, skipHidden: boolean): Promise<Array<{ name: string; isLink: boolean }>> {
  const names: Array<{ name: string; isLink: boolean }> = [];
  for await (const dirent of await opendir(dir, { bufferSize: 256 })) {
    if (skipHidden && (dirent.name.startsWith('.') || LITTER.has(dirent.name))) continue;
    // Sockets, FIFOs and devices are never media.
    if (dirent.isFIFO() || dirent.isSocket() || dirent.isBlockDevice() || dirent.isCharacterDevice()) continue;
    // A filesystem that does not report entry types is treated as if every entry could be a symlink.
    const typeUnknown = !dirent.isFile() && !dirent.isDirectory() && !dirent.isSymbolicLink();
    names.push({ name: dirent.name, isLink: dirent.isSymbolicLink() || typeUnknown });
  }
  return names;
}

function identity(stats: Stats): string {
  return `${stats.dev}:${stats.ino}`;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
