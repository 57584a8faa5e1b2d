import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';

/** What of the host a sandboxed plugin sees besides its own folder: only what it takes to run programs. */
export interface SandboxLayout {
  /** Top-level system folders as on the host: a directory is bound read-only, a symlink (usrmerge) is recreated. */
  system: { path: string; symlinkTo?: string }[];
  /** Single files or folders bound read-only at the same path. */
  readOnly: string[];
}

export interface BwrapRun {
  /** The plugin's folder: bound read-only at the same path and the working directory. */
  dir: string;
  env: Record<string, string>;
  /** Size of the in-memory /tmp; omitted for a bwrap too old for `--size` (before 0.7). */
  tmpSizeBytes?: number;
  /** Folders never to show (the data dir): covered with an empty tmpfs when a system bind would expose them. */
  hidden?: string[];
}

const SYSTEM_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const SYSTEM_FILES = ['/etc/ld.so.cache', '/etc/alternatives'];

/**
 * The bubblewrap arguments that run `command` with no network (only its own loopback), its own
 * pid, ipc, uts, cgroup and user namespaces, no capabilities, a fresh /proc (so no other process's
 * environment is visible), a private /tmp, and of the files only the system's programs and
 * libraries plus its own folder, all read-only. It dies with the process that started it.
 */
export function bwrapArgs(layout: SandboxLayout, run: BwrapRun, command: string[]): string[] {
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL'];
  for (const { path, symlinkTo } of layout.system) {
    if (symlinkTo === undefined) args.push('--ro-bind', path, path);
    else args.push('--symlink', symlinkTo, path);
  }
  for (const path of layout.readOnly) args.push('--ro-bind', path, path);
  // A data dir under /usr (say /usr/local/marquee/data) would come in with /usr: cover it, before the
  // plugin's own folder (inside it) is bound back.
  const bound = layout.system.filter(({ symlinkTo }) => symlinkTo === undefined).map(({ path }) => path);
  for (const path of run.hidden ?? []) {
    if (bound.some((system) => path === system || path.startsWith(`${system}/`))) args.push('--tmpfs', path);
  }
  args.push('--proc', '/proc', '--dev', '/dev');
  if (run.tmpSizeBytes !== undefined) args.push('--size', String(run.tmpSizeBytes));
  args.push('--tmpfs', '/tmp', '--ro-bind', run.dir, run.dir, '--chdir', run.dir, '--clearenv');
  for (const [name, value] of Object.entries(run.env)) args.push('--setenv', name, value);
  return [...args, '--', ...command];
}

/** The server's Node binary with symlinks resolved: the path plugins run it by, bound as is in the sandbox. */
export const nodeBinary = (): string => realpathSync(process.execPath);

let hostLayout: SandboxLayout | undefined;

/** This host's layout (read once): its system folders, the loader cache, and the Node binary when it lives outside /usr. */
export function hostSandboxLayout(): SandboxLayout {
  if (hostLayout) return hostLayout;
  const system: SandboxLayout['system'] = [];
  for (const path of SYSTEM_PATHS) {
    let info;
    try {
      info = lstatSync(path);
    } catch {
      continue;
    }
    if (info.isSymbolicLink()) system.push({ path, symlinkTo: readlinkSync(path) });
    else if (info.isDirectory()) system.push({ path });
  }
  const readOnly = SYSTEM_FILES.filter((path) => existsSync(path));
  // Only the binary itself, not its folder: that folder could hold more than Node (even the data dir).
  const node = nodeBinary();
  if (!system.some(({ path, symlinkTo }) => symlinkTo === undefined && node.startsWith(`${path}/`))) readOnly.push(node);
  hostLayout = { system, readOnly };
  return hostLayout;
}
