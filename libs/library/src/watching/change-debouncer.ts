import { dirname, resolve } from 'node:path';
import { isInside } from '../libraries/folder-policy.js';

export interface CollapseOptions {
  /** More paths than this after collapsing: the library's folders instead (a scan of everything). */
  maxPaths: number;
  /** More changed entries directly in one folder than this: that folder instead of each of them. */
  siblingLimit: number;
}

export interface ChangeDebouncerOptions extends Partial<CollapseOptions> {
  /** A batch is flushed once no change arrived for this long… */
  quietMs?: number;
  /** …or this long after its first change, whichever comes first (a steady trickle still gets scanned). */
  maxWaitMs?: number;
  /** Past this many distinct raw paths the batch stops remembering them and becomes the library's folders. */
  maxPending?: number;
}

export const DEFAULT_DEBOUNCE = {
  quietMs: 2_000,
  maxWaitMs: 10_000,
  maxPaths: 500,
  siblingLimit: 32,
  maxPending: 10_000,
} as const satisfies Required<ChangeDebouncerOptions>;

/** The root (one of `roots`) that holds `path`, if any. */
function rootOf(path: string, roots: readonly string[]): string | undefined {
  return roots.find((root) => isInside(root, path));
}

/** Drops every path that lies below another path of the set (the scan of a folder covers its contents). */
function dropCovered(paths: Set<string>, roots: readonly string[]): Set<string> {
  const kept = new Set<string>();
  for (const path of paths) {
    const root = rootOf(path, roots)!;
    let covered = false;
    for (let up = path; up !== root && !covered;) {
      const parent = dirname(up);
      if (parent === up) break;
      covered = paths.has(parent);
      up = parent;
    }
    if (!covered) kept.add(path);
  }
  return kept;
}

/**
 * The smallest set of paths whose partial scans cover every change: paths outside the roots are
 * dropped, a changed folder covers everything below it, more than `siblingLimit` changed entries of
 * one folder become that folder, and more than `maxPaths` paths become the roots themselves. Sorted.
 */
export function collapsePaths(input: Iterable<string>, roots: readonly string[], options: CollapseOptions = DEFAULT_DEBOUNCE): string[] {
  const normalizedRoots = roots.map((root) => resolve(root));
  let paths = new Set<string>();
  for (const raw of input) {
    const path = resolve(raw);
    if (rootOf(path, normalizedRoots)) paths.add(path);
  }
  for (;;) {
    paths = dropCovered(paths, normalizedRoots);
    const byParent = new Map<string, string[]>();
    for (const path of paths) {
      if (normalizedRoots.includes(path)) continue;
      const parent = dirname(path);
      byParent.set(parent, [...(byParent.get(parent) ?? []), path]);
    }
    const crowded = [...byParent].filter(([, children]) => children.length > options.siblingLimit);
    if (crowded.length === 0) break;
    for (const [parent, children] of crowded) {
      for (const child of children) paths.delete(child);
      paths.add(parent);
    }
  }
  const result = [...paths].sort();
  if (result.length > options.maxPaths) return [...new Set(normalizedRoots)].sort();
  return result;
}

/**
 * Collects the paths a library's watcher reports and hands them on in batches: after `quietMs`
 * without a change, or at the latest `maxWaitMs` after the first change of the batch, the batch is
 * collapsed (collapsePaths) and given to `onFlush` — one partial scan per batch.
 */
export class ChangeDebouncer {
  private readonly options: Required<ChangeDebouncerOptions>;
  private pending = new Set<string>();
  private overflow = false;
  private quietTimer?: NodeJS.Timeout;
  private maxTimer?: NodeJS.Timeout;
  private disposed = false;

  constructor(
    private readonly roots: () => readonly string[],
    private readonly onFlush: (paths: string[]) => void | Promise<void>,
    options: ChangeDebouncerOptions = {},
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.options = { ...DEFAULT_DEBOUNCE, ...stripUndefined(options) };
  }

  /** Paths waiting for the next flush (0 after an overflow, which flushes the roots). */
  get size(): number {
    return this.pending.size;
  }

  get waiting(): boolean {
    return this.pending.size > 0 || this.overflow;
  }

  add(path: string): void {
    if (this.disposed) return;
    if (!this.overflow) {
      this.pending.add(path);
      if (this.pending.size > this.options.maxPending) {
        this.overflow = true;
        this.pending = new Set();
      }
    }
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => void this.flush(), this.options.quietMs);
    this.quietTimer.unref?.();
    if (!this.maxTimer) {
      this.maxTimer = setTimeout(() => void this.flush(), this.options.maxWaitMs);
      this.maxTimer.unref?.();
    }
  }

  /** Hands the batch on now (nothing happens when it is empty). Errors of `onFlush` go to `onError`. */
  async flush(): Promise<void> {
    this.clearTimers();
    if (this.disposed || !this.waiting) return;
    const roots = this.roots();
    const paths = this.overflow ? collapsePaths(roots, roots, this.options) : collapsePaths(this.pending, roots, this.options);
    this.pending = new Set();
    this.overflow = false;
    if (paths.length === 0) return;
    try {
      await this.onFlush(paths);
    } catch (error) {
      this.onError(error);
    }
  }

  /** Forgets the batch and stops the timers; later adds are ignored. */
  dispose(): void {
    this.disposed = true;
    this.clearTimers();
    this.pending = new Set();
    this.overflow = false;
  }

  private clearTimers(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.maxTimer) clearTimeout(this.maxTimer);
    this.quietTimer = undefined;
    this.maxTimer = undefined;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
