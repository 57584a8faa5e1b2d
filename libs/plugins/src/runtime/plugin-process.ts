import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { PluginRuntime } from '@marquee/contracts';
import { bwrapArgs, hostSandboxLayout, nodeBinary } from './bwrap-args.js';
import { pluginEnv } from './plugin-env.js';
import type { PluginLimits } from './plugin-limits.js';
import { ProcessTreeWatch } from './process-tree-watch.js';
import { type CallMessage, type FetchReply, parsePluginLine, PROTOCOL_VERSION } from './plugin-protocol.js';

export type PluginFailure =
  'timeout' | 'crash' | 'garbage' | 'output-limit' | 'memory' | 'plugin-error' | 'cancelled' | 'spawn' | 'sandbox';

/** Runs go through this bubblewrap (see bwrap-args.ts). */
export interface BwrapSandbox {
  bwrapPath: string;
  /** Whether this bwrap can cap the size of /tmp (`--size`). */
  tmpfsSize: boolean;
  /** The data dir, never visible inside (see BwrapRun.hidden). */
  hidden: string[];
}

/** A run that did not produce a result; `message` is written for the admin reading the job. */
export class PluginRunError extends Error {
  constructor(
    readonly failure: PluginFailure,
    message: string,
  ) {
    super(message);
    this.name = 'PluginRunError';
  }
}

export interface PluginProcessOptions {
  pluginId: string;
  dir: string;
  entry: string;
  runtime: PluginRuntime;
  limits: PluginLimits;
  /** null: no isolation, the plugin runs with the server's rights. */
  sandbox: BwrapSandbox | null;
  method: string;
  params: Record<string, unknown>;
  settings: Record<string, string | number | boolean>;
  signal?: AbortSignal;
  onLog?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Answers a fetch the plugin asks for; throwing makes the reply an `error`. */
  onFetch?: (url: string, headers: Record<string, string>) => Promise<{ status: number; contentType: string | null; body: string }>;
  onSpawn?: (pid: number) => void;
}

const STDERR_TAIL_BYTES = 2048;
/** Node's permission model flag: `--experimental-permission` on Node 20, `--permission` once it became stable. */
const PERMISSION_FLAG = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
const EXIT_GRACE_MS = 1000;

function command(options: PluginProcessOptions, env: Record<string, string>): { file: string; args: string[] } {
  const entry = join(options.dir, options.entry);
  const plugin =
    options.runtime === 'node'
      ? [
          nodeBinary(),
          `--max-old-space-size=${options.limits.memoryMb}`,
          // Node's permission model: the plugin reads its own folder only, writes nothing, spawns nothing.
          PERMISSION_FLAG,
          `--allow-fs-read=${options.dir}`,
          '--disable-warning=ExperimentalWarning',
          entry,
        ]
      : [entry];
  if (!options.sandbox) return { file: plugin[0], args: plugin.slice(1) };
  const tmpSizeBytes = options.sandbox.tmpfsSize ? options.limits.memoryMb * 1024 * 1024 : undefined;
  return {
    file: options.sandbox.bwrapPath,
    args: bwrapArgs(hostSandboxLayout(), { dir: options.dir, env, tmpSizeBytes, hidden: options.sandbox.hidden }, plugin),
  };
}

/**
 * Runs one call of a plugin in its own process group, cwd = its folder, with a minimal environment,
 * inside the sandbox when one is given, and speaks the JSON-lines protocol with it. The run ends
 * with the plugin's result, or with a PluginRunError when it hangs past the timeout, crashes, holds
 * more resident memory (its whole process tree) than its limit, prints more than the output limit
 * or anything that is not a protocol message. Whatever happens, the process group and every process
 * seen in its tree are killed at the end, so nothing the plugin started outlives the run.
 */
export function runPluginProcess(options: PluginProcessOptions): Promise<unknown> {
  const { limits, pluginId } = options;
  const env = pluginEnv(pluginId, options.dir);
  const { file, args } = command(options, env);
  return new Promise<unknown>((resolve, reject) => {
    let child;
    try {
      // bwrap gets the plugin's environment too: its own /proc/<pid>/environ is visible inside the sandbox.
      child = spawn(file, args, {
        cwd: options.dir,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (error) {
      return reject(new PluginRunError('spawn', `Plugin ${pluginId} could not be started: ${(error as Error).message}`));
    }
    const pid = child.pid;
    let finished = false;
    let outputBytes = 0;
    let stdoutBuffer = '';
    let stderrTail = '';
    let fetches = 0;
    let outcome: { ok: true; value: unknown } | { ok: false; error: PluginRunError } | undefined;

    const tree =
      pid === undefined
        ? undefined
        : new ProcessTreeWatch(pid, limits.memoryMb * 1024, (residentKb) =>
            failWith('memory', `ran out of memory (limit ${limits.memoryMb} MiB): its processes held ${Math.round(residentKb / 1024)} MiB`),
          );
    const killGroup = () => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      tree?.killAll();
    };
    const settle = () => {
      if (finished || !outcome) return;
      finished = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
      killGroup();
      if (outcome.ok) resolve(outcome.value);
      else reject(outcome.error);
    };
    const failWith = (failure: PluginFailure, message: string) => {
      if (outcome) return;
      outcome = { ok: false, error: new PluginRunError(failure, `Plugin ${pluginId} ${message}`) };
      settle();
    };
    let graceTimer: NodeJS.Timeout | undefined;
    const succeed = (value: unknown) => {
      if (outcome) return;
      outcome = { ok: true, value };
      // What the plugin started is seen now, before it exits and its children are re-parented.
      tree?.sample();
      child.stdin.end();
      // A well-behaved plugin exits once stdin closes; either way its group is killed shortly after.
      graceTimer = setTimeout(settle, EXIT_GRACE_MS);
    };

    const timer = setTimeout(
      () => failWith('timeout', `did not answer within ${limits.timeoutMs / 1000} s and was stopped`),
      limits.timeoutMs,
    );
    const onAbort = () => failWith('cancelled', 'was stopped: the job was cancelled');
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const countOutput = (bytes: number) => {
      outputBytes += bytes;
      if (outputBytes > limits.maxOutputBytes) {
        failWith('output-limit', `printed more than ${Math.round(limits.maxOutputBytes / 1024)} KiB and was stopped`);
        return false;
      }
      return true;
    };
    const send = (message: CallMessage | FetchReply) => {
      if (!outcome && child.stdin.writable) child.stdin.write(`${JSON.stringify(message)}\n`);
    };
    const handleLine = (line: string) => {
      if (outcome || line.trim() === '') return;
      let message;
      try {
        message = parsePluginLine(line);
      } catch (error) {
        return failWith('garbage', (error as Error).message);
      }
      if (message.type === 'log') options.onLog?.(message.level, message.message);
      else if (message.type === 'result') succeed(message.data);
      else if (message.type === 'error') failWith('plugin-error', `reported an error: ${message.message}`);
      else if (message.type === 'fetch') {
        if (++fetches > limits.maxFetches) return failWith('plugin-error', `asked for more than ${limits.maxFetches} fetches in one run`);
        const { id, url, headers } = message;
        if (!options.onFetch) return send({ type: 'fetch-result', id, error: 'This server does not fetch for plugins' });
        options.onFetch(url, headers).then(
          (reply) => send({ type: 'fetch-result', id, ...reply }),
          (error: Error) => send({ type: 'fetch-result', id, error: error.message }),
        );
      }
    };

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (outcome || !countOutput(Buffer.byteLength(chunk))) return;
      stdoutBuffer += chunk;
      let newline;
      while ((newline = stdoutBuffer.indexOf('\n')) >= 0 && !outcome) {
        const line = stdoutBuffer.slice(0, newline);
        stdoutBuffer = stdoutBuffer.slice(newline + 1);
        handleLine(line);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (outcome || !countOutput(Buffer.byteLength(chunk))) return;
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    // A plugin that closes stdin early (or exits) must not crash the server with EPIPE.
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => failWith('spawn', `could not be started: ${error.message}`));
    child.on('close', (code, signal) => {
      if (stdoutBuffer.trim() && !outcome) handleLine(stdoutBuffer);
      if (outcome) return settle();
      const tail = stderrTail.trim().split('\n').slice(-5).join(' | ');
      if (/heap out of memory|Cannot allocate memory|MemoryError|std::bad_alloc|out of memory/i.test(stderrTail)) {
        return failWith('memory', `ran out of memory (limit ${limits.memoryMb} MiB)${tail ? `: ${tail}` : ''}`);
      }
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      failWith('crash', `${how} before answering${tail ? ` (stderr: ${tail})` : ''}`);
    });

    send({ type: 'call', protocol: PROTOCOL_VERSION, method: options.method, params: options.params, settings: options.settings });
    tree?.start();
    if (pid !== undefined) options.onSpawn?.(pid);
  });
}
