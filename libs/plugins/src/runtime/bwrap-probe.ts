import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bwrapArgs, hostSandboxLayout } from './bwrap-args.js';
import { pluginEnv } from './plugin-env.js';

export type BwrapProbe = { usable: true; path: string; tmpfsSize: boolean } | { usable: false; reason: string };

const PROBE_TIMEOUT_MS = 5000;

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':').filter(Boolean)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not here.
    }
  }
  return null;
}

function run(file: string, args: string[], env: Record<string, string>): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const output =
        `${stderr}${stdout}`.trim() || (error?.killed ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : (error?.message ?? ''));
      resolve({ ok: !error, output });
    });
  });
}

async function probe(path: string | null): Promise<BwrapProbe> {
  if (!path) return { usable: false, reason: 'bwrap (bubblewrap) was not found on PATH' };
  const env = pluginEnv('probe', '/');
  const help = await run(path, ['--help'], env);
  const tmpfsSize = help.output.includes('--size');
  const dir = mkdtempSync(join(tmpdir(), 'marquee-sandbox-probe-'));
  try {
    const args = bwrapArgs(hostSandboxLayout(), { dir, env, tmpSizeBytes: tmpfsSize ? 1024 * 1024 : undefined }, ['true']);
    const result = await run(path, args, env);
    if (!result.ok) return { usable: false, reason: `${path} does not work here: ${result.output.split('\n')[0]}` };
    return { usable: true, path, tmpfsSize };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const probes = new Map<string | null, Promise<BwrapProbe>>();

/**
 * Whether bubblewrap (the one on PATH unless given) can start a sandbox here: tried once per process,
 * with the arguments plugins run with.
 */
export function probeBwrap(path: string | null = findOnPath('bwrap')): Promise<BwrapProbe> {
  let probed = probes.get(path);
  if (!probed) {
    probed = probe(path);
    probes.set(path, probed);
  }
  return probed;
}
