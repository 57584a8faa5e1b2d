import { readdirSync, readFileSync } from 'node:fs';

/** A process as /proc shows it; `startTime` (clock ticks since boot) tells a reused pid from the one seen before. */
export interface ProcessStat {
  pid: number;
  ppid: number;
  startTime: number;
}

/** Parses /proc/<pid>/stat. The command name may hold spaces and parentheses, so fields are counted from its last ')'. */
export function parseProcStat(text: string): ProcessStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // After the name: state(3) ppid(4) … starttime(22), i.e. offsets 0, 1 and 19 of the rest.
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const ppid = Number(rest[1]);
  const startTime = Number(rest[19]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isFinite(startTime)) return null;
  return { pid, ppid, startTime };
}

/** Resident memory in KiB from /proc/<pid>/status (`VmRSS`); 0 for a zombie or kernel thread, which has none. */
export function parseVmRssKb(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) : 0;
}

/** The pids in /proc/<pid>/task/<tid>/children (space separated). */
export function parseChildren(text: string): number[] {
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/** Every descendant of `root` (not `root` itself), from a parent → children map. */
export function descendantsOf(root: number, childrenOf: (pid: number) => number[]): number[] {
  const found: number[] = [];
  const seen = new Set([root]);
  const queue = [root];
  while (queue.length > 0) {
    for (const child of childrenOf(queue.shift()!)) {
      if (seen.has(child)) continue;
      seen.add(child);
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

const readText = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

export const readProcStat = (pid: number): ProcessStat | null => {
  const text = readText(`/proc/${pid}/stat`);
  return text === null ? null : parseProcStat(text);
};

/** Children of one process through /proc/<pid>/task/<tid>/children; null when the kernel does not offer that file. */
function childrenFromTasks(pid: number): number[] | null {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const tid of tasks) {
    const text = readText(`/proc/${pid}/task/${tid}/children`);
    if (text === null) return null;
    children.push(...parseChildren(text));
  }
  return children;
}

/** Children by scanning every /proc/<pid>/stat for its parent: slower, for kernels without the children file. */
function childrenByScan(): (pid: number) => number[] {
  const byParent = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name));
    if (!stat) continue;
    const siblings = byParent.get(stat.ppid) ?? [];
    siblings.push(stat.pid);
    byParent.set(stat.ppid, siblings);
  }
  return (pid) => byParent.get(pid) ?? [];
}

/** The processes of the tree under `root` (root included, when it still exists), with their start times. */
export function readProcessTree(root: number): ProcessStat[] {
  const direct = childrenFromTasks(root);
  const childrenOf = direct === null ? childrenByScan() : (pid: number) => (pid === root ? direct : (childrenFromTasks(pid) ?? []));
  return [root, ...descendantsOf(root, childrenOf)].map(readProcStat).filter((stat): stat is ProcessStat => stat !== null);
}

/** Resident memory of these processes together, in KiB. Pages shared between them count once per process. */
export function residentKb(processes: ProcessStat[]): number {
  let total = 0;
  for (const { pid } of processes) {
    const status = readText(`/proc/${pid}/status`);
    if (status !== null) total += parseVmRssKb(status);
  }
  return total;
}

/** SIGKILLs each process that is still the one seen (same start time), so a reused pid is never hit. */
export function killProcesses(processes: Iterable<ProcessStat>): void {
  for (const seen of processes) {
    if (readProcStat(seen.pid)?.startTime !== seen.startTime) continue;
    try {
      process.kill(seen.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}
