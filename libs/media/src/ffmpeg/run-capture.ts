import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { FfmpegError } from './run-ffmpeg.js';

export interface RunCaptureOptions {
  /** Aborting kills the process (SIGKILL) and rejects with the abort reason. */
  signal?: AbortSignal;
  /** Every external call has a deadline; the process is killed when it passes. */
  timeoutMs: number;
  /** More stdout than this kills the process and rejects, so a runaway output cannot exhaust memory. */
  maxBytes: number;
}

export interface CaptureResult {
  stdout: Buffer;
  /** The last few KiB of stderr, for diagnostics (tools warn there even when they succeed). */
  stderr: string;
}

/**
 * Runs a binary with an argument list (never a shell) and collects its stdout. Resolves on exit code 0;
 * rejects with an FfmpegError carrying the tail of stderr otherwise, and kills the process on timeout,
 * abort or when stdout grows past `maxBytes`.
 */
export function runCapture(binary: string, args: string[], options: RunCaptureOptions): Promise<CaptureResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(abortReason(options.signal));
    const tool = basename(binary);
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: Error | undefined;
    const kill = (reason: Error) => {
      failure ??= reason;
      child.kill('SIGKILL');
    };
    const onAbort = () => kill(abortReason(options.signal!));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => kill(new FfmpegError(`${tool} timed out after ${options.timeoutMs} ms`, stderr)), options.timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (failure) return;
      size += chunk.length;
      if (size > options.maxBytes) return kill(new FfmpegError(`${tool} wrote more than ${options.maxBytes} bytes to stdout`, stderr));
      chunks.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('error', (error) => kill(new FfmpegError(`could not run ${binary}: ${error.message}`, stderr)));
    child.on('close', (code, killedBy) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (failure) return reject(failure);
      if (code === 0) return resolve({ stdout: Buffer.concat(chunks), stderr });
      const last = stderr.trim().split('\n').slice(-3).join(' | ');
      reject(new FfmpegError(`${tool} exited with ${killedBy ? `signal ${killedBy}` : `code ${code}`}: ${last}`, stderr));
    });
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
