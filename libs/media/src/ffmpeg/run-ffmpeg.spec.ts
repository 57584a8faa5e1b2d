import { resolveBinary } from '@marquee/core';
import { processRunning } from '../../../../test/helpers/processes.js';
import { FfmpegError, runFfmpeg } from './run-ffmpeg.js';

const ffmpeg = resolveBinary('ffmpeg', process.env.FFMPEG_PATH).path;
const running = processRunning;
// A real-time tone: ffmpeg keeps running until its duration ends or it is killed.
const tone = (seconds: number, marker: string) => [
  '-hide_banner',
  '-re',
  '-f',
  'lavfi',
  '-i',
  `sine=frequency=440:duration=${seconds}`,
  '-metadata',
  `title=${marker}`,
  '-f',
  'null',
  '-',
];

describe('runFfmpeg', () => {
  it('resolves when ffmpeg succeeds and reports stderr lines', async () => {
    const lines: string[] = [];
    await runFfmpeg(ffmpeg, ['-hide_banner', '-f', 'lavfi', '-i', 'sine=duration=0.2', '-f', 'null', '-'], {
      timeoutMs: 20_000,
      onStderrLine: (l) => lines.push(l),
    });
    expect(lines.some((l) => /Output #0|size=|time=/.test(l))).toBe(true);
  });

  it('rejects with the tail of stderr when ffmpeg fails', async () => {
    const error = await runFfmpeg(ffmpeg, ['-hide_banner', '-i', '/nonexistent/input.mkv', '-f', 'null', '-'], { timeoutMs: 20_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as Error).message).toMatch(/^ffmpeg exited with code \d+: .*No such file or directory/);
  });

  it('abort kills the process at once', async () => {
    const marker = `marquee-abort-${process.pid}`;
    const abort = new AbortController();
    const run = runFfmpeg(ffmpeg, tone(60, marker), { timeoutMs: 120_000, signal: abort.signal });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(running(marker)).toBe(true);
    abort.abort(new Error('cancelled by test'));
    await expect(run).rejects.toThrow('cancelled by test');
    expect(running(marker)).toBe(false);
  });

  it('a timeout kills the process', async () => {
    const marker = `marquee-timeout-${process.pid}`;
    await expect(runFfmpeg(ffmpeg, tone(60, marker), { timeoutMs: 500 })).rejects.toThrow(/timed out after 500 ms/);
    expect(running(marker)).toBe(false);
  });
});
