import { killProcesses, type ProcessStat, readProcessTree, residentKb } from './process-tree.js';

export const MEMORY_SAMPLE_INTERVAL_MS = 100;

/**
 * Watches the process tree of one plugin run: every sample sums the resident memory of the whole
 * tree and calls `onOverLimit` once it is above the limit, and remembers every process it saw, so
 * that `killAll` also reaches a child that left the tree (e.g. with `setsid`, re-parented to init).
 */
export class ProcessTreeWatch {
  private readonly seen = new Map<number, ProcessStat>();
  private timer: NodeJS.Timeout | undefined;
  private overLimit = false;

  constructor(
    private readonly root: number,
    private readonly limitKb: number,
    private readonly onOverLimit: (residentKb: number) => void,
  ) {}

  start(intervalMs = MEMORY_SAMPLE_INTERVAL_MS): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Reads the tree now: remembers its processes and checks their resident memory. */
  sample(): void {
    const tree = readProcessTree(this.root);
    for (const stat of tree) this.seen.set(stat.pid, stat);
    const total = residentKb(tree);
    if (total > this.limitKb && !this.overLimit) {
      this.overLimit = true;
      this.onOverLimit(total);
    }
  }

  /** Stops sampling and SIGKILLs the tree as it is now plus every process seen before that still runs. */
  killAll(): void {
    clearInterval(this.timer);
    for (const stat of readProcessTree(this.root)) this.seen.set(stat.pid, stat);
    killProcesses(this.seen.values());
  }
}
