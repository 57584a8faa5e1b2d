import { ffmpegPath } from '../../../../test/helpers/media-fixtures.js';
import { runCapture } from './run-capture.js';
import { FfmpegError } from './run-ffmpeg.js';

const ffmpeg = ffmpegPath();
// One second of 8-bit mono silence at 8 kHz as raw PCM on stdout: exactly 8000 bytes.
const silence = [
  '-hide_banner',
  '-v',
  'error',
  '-f',
  'lavfi',
  '-i',
  'anullsrc=r=8000:cl=mono',
  '-t',
  '1',
  '-f',
  'u8',
  '-c:a',
  'pcm_u8',
  'pipe:1',
];

describe('runCapture', () => {
  it("collects the process's stdout", async () => {
    const { stdout } = await runCapture(ffmpeg, silence, { timeoutMs: 20_000, maxBytes: 1_000_000 });
    expect(stdout.length).toBe(8000);
    expect(stdout.every((byte) => byte === 128)).toBe(true);
  });

  it('kills the process once stdout grows past maxBytes', async () => {
    const error = await runCapture(ffmpeg, silence, { timeoutMs: 20_000, maxBytes: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as Error).message).toBe('ffmpeg wrote more than 1000 bytes to stdout');
  });

  it('rejects with the tail of stderr on failure', async () => {
    const error = await runCapture(ffmpeg, ['-hide_banner', '-i', '/nonexistent/input.mkv', '-f', 'null', '-'], {
      timeoutMs: 20_000,
      maxBytes: 1000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as Error).message).toBe('ffmpeg exited with code 1: /nonexistent/input.mkv: No such file or directory');
  });

  it('reports a binary that cannot be run', async () => {
    await expect(runCapture('/nonexistent/ffmpeg', [], { timeoutMs: 20_000, maxBytes: 1000 })).rejects.toThrow(
      'could not run /nonexistent/ffmpeg: spawn /nonexistent/ffmpeg ENOENT',
    );
  });
});
