import { execFile } from 'node:child_process';

/** Runs `<binary> -version` with a timeout and returns its first line (e.g. "ffmpeg version 5.1.6"). */
export function binaryVersion(path: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, ['-version'], { timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (error, stdout) => {
      if (error) reject(new Error(`${path} -version failed: ${error.message}`));
      else resolve(stdout.split('\n')[0]?.trim() ?? '');
    });
  });
}
