import { spawn } from 'node:child_process';

export interface RunFfmpegOptions {
  /** Aborting kills the process (SIGKILL) and rejects with the abort reason. */
  signal?: AbortSignal;
  /** Every external call has a deadline. */
  timeoutMs: number;
  /** Called with each stderr line (ffmpeg reports progress there). */
  onStderrLine?: (line: string) => void;
}

export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}

/**
 * Runs an ffmpeg/ffprobe binary with an argument list (never a shell). Resolves on exit code 0;
 * rejects with the tail of stderr otherwise, on timeout, or when aborted — the process is killed in
 * the last two cases, so a cancelled job leaves no encoder behind.
 */
export function runFfmpeg(binary: string, args: string[], options: RunFfmpegOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(options.signal.reason ?? new Error('aborted'));
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    let partial = '';
    let failure: Error | undefined;
    const kill = (reason: Error) => {
      failure ??= reason;
      child.kill('SIGKILL');
    };
    const onAbort = () => kill(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => kill(new FfmpegError(`ffmpeg timed out after ${options.timeoutMs} ms`, tail)), options.timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const lines = text.split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const line of lines) options.onStderrLine?.(line);
      tail = (tail + chunk.toString()).slice(-4000);
    });
    child.on('error', (error) => kill(new FfmpegError(`could not run ${binary}: ${error.message}`, tail)));
    child.on('close', (code, killedBy) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (failure) return reject(failure);
      if (code === 0) return resolve();
      const last = tail.trim().split('\n').slice(-3).join(' | ');
      reject(new FfmpegError(`ffmpeg exited with ${killedBy ? `signal ${killedBy}` : `code ${code}`}: ${last}`, tail));
    });
  });
}
