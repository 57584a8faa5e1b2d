import { type ChildProcess, spawn } from 'node:child_process';

export interface ChildSpec {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
}

export interface SupervisorOptions {
  log: (line: string) => void;
  /** A child that crashes more often than this within `restartWindowMs` brings everything down. */
  maxRestarts?: number;
  restartWindowMs?: number;
  restartDelayMs?: number;
  stopTimeoutMs?: number;
}

/** Exit code a child uses for a configuration error: restarting it cannot help. */
const EX_CONFIG = 78;

/**
 * Runs the api and the worker as child processes. A child that exits on its own is reported and
 * restarted (with a delay, a bounded number of times); `stop()` ends them with SIGTERM, then SIGKILL.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private readonly restarts = new Map<string, number[]>();
  private stopping = false;
  private exitCode = 0;
  private resolveDone!: (code: number) => void;
  readonly done = new Promise<number>((resolve) => (this.resolveDone = resolve));

  constructor(
    private readonly specs: ChildSpec[],
    private readonly options: SupervisorOptions,
  ) {}

  start(): void {
    for (const spec of this.specs) this.spawn(spec);
  }

  private spawn(spec: ChildSpec): void {
    const child = spawn(process.execPath, [spec.script], { env: spec.env, stdio: 'inherit' });
    this.children.set(spec.name, child);
    child.on('exit', (code, signal) => this.onExit(spec, code, signal));
  }

  private onExit(spec: ChildSpec, code: number | null, signal: NodeJS.Signals | null): void {
    this.children.delete(spec.name);
    if (this.stopping) {
      if (this.children.size === 0) this.resolveDone(this.exitCode);
      return;
    }
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (code === EX_CONFIG) {
      this.options.log(`${spec.name} ${how} (configuration error); stopping Marquee`);
      void this.stop(EX_CONFIG);
      return;
    }
    const now = Date.now();
    const window = this.options.restartWindowMs ?? 60_000;
    const recent = (this.restarts.get(spec.name) ?? []).filter((t) => now - t < window);
    const max = this.options.maxRestarts ?? 5;
    if (recent.length >= max) {
      this.options.log(`${spec.name} ${how}; it crashed ${recent.length + 1} times within ${window / 1000}s, stopping Marquee`);
      void this.stop(1);
      return;
    }
    recent.push(now);
    this.restarts.set(spec.name, recent);
    const delay = this.options.restartDelayMs ?? 2000;
    this.options.log(`${spec.name} ${how} unexpectedly; restarting in ${delay / 1000}s (restart ${recent.length} of ${max})`);
    setTimeout(() => {
      if (!this.stopping) this.spawn(spec);
    }, delay);
  }

  /** Stops every child; `done` resolves with `exitCode` once all have exited. */
  stop(exitCode = 0): Promise<number> {
    if (this.stopping) return this.done;
    this.stopping = true;
    this.exitCode = exitCode;
    if (this.children.size === 0) this.resolveDone(exitCode);
    for (const child of this.children.values()) child.kill('SIGTERM');
    const timeoutMs = this.options.stopTimeoutMs ?? 15_000;
    setTimeout(() => {
      for (const [name, child] of this.children) {
        this.options.log(`${name} did not stop within ${timeoutMs / 1000}s; killing it`);
        child.kill('SIGKILL');
      }
    }, timeoutMs).unref();
    return this.done;
  }
}
