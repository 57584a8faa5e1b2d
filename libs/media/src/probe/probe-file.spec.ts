import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffprobePath, makeCorrupt, makeFlac, makeImage, makeMp3, makeVideo } from '../../../../test/helpers/media-fixtures.js';
import { processRunning } from '../../../../test/helpers/processes.js';
import { MediaProbeError } from './media-probe-error.js';
import { probeFile } from './probe-file.js';

const ffprobe = ffprobePath();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marquee-probe-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('probeFile', () => {
  it('lists the streams of an mkv with h264, aac and a SubRip track', async () => {
    const file = join(dir, 'movie.mkv');
    await makeVideo(file, { subtitles: true, audioLanguage: 'fre', title: 'A Title' });

    const result = await probeFile(ffprobe, file, { timeoutMs: 20_000 });

    expect(result.container).toBe('mkv');
    expect(result.durationMs).toBeGreaterThanOrEqual(1950);
    expect(result.durationMs).toBeLessThanOrEqual(2100);
    expect(result.size).toBe((await stat(file)).size);
    expect(result.bitrate).toBeGreaterThan(0);
    expect(result.tags.title).toBe('A Title');
    expect(result.streams).toEqual([
      expect.objectContaining({
        index: 0,
        type: 'video',
        codec: 'h264',
        profile: 'Constrained Baseline',
        width: 320,
        height: 240,
        frameRate: 25,
        bitDepth: 8,
        hdr: null,
        language: null,
        isDefault: true,
        isForced: false,
      }),
      expect.objectContaining({
        index: 1,
        type: 'audio',
        codec: 'aac',
        profile: 'LC',
        channels: 2,
        channelLayout: 'stereo',
        sampleRate: 48000,
        language: 'fre',
        width: null,
        frameRate: null,
      }),
      expect.objectContaining({ index: 2, type: 'subtitle', codec: 'subrip', language: 'eng' }),
    ]);
  });

  it('reads an mp4 with per-stream bitrates', async () => {
    const file = join(dir, 'clip.mp4');
    await makeVideo(file, { container: 'mp4', seconds: 1, width: 640, height: 360 });

    const result = await probeFile(ffprobe, file, { timeoutMs: 20_000 });

    expect(result.container).toBe('mp4');
    expect(result.durationMs).toBeGreaterThanOrEqual(950);
    expect(result.durationMs).toBeLessThanOrEqual(1100);
    expect(result.streams.map((s) => [s.type, s.codec, s.width, s.height])).toEqual([
      ['video', 'h264', 640, 360],
      ['audio', 'aac', null, null],
    ]);
    expect(result.streams[0].bitrate).toBeGreaterThan(10_000);
    expect(result.streams[1].bitrate).toBeGreaterThan(10_000);
    expect(result.tags.major_brand).toBe('isom');
  });

  it('reads the bit depth and sample rate of a 24-bit FLAC and lists its cover as an attachment', async () => {
    const file = join(dir, 'hires.flac');
    await makeFlac(file, { bits: 24, sampleRate: 96000, cover: true, tags: { title: 'Hi-Res' } });

    const result = await probeFile(ffprobe, file, { timeoutMs: 20_000 });

    expect(result.container).toBe('flac');
    expect(result.durationMs).toBe(1000);
    expect(result.tags.title).toBe('Hi-Res');
    expect(result.streams).toEqual([
      expect.objectContaining({ type: 'audio', codec: 'flac', bitDepth: 24, sampleRate: 96000, channels: 1 }),
      expect.objectContaining({ type: 'attachment', codec: 'mjpeg', width: 64, height: 64 }),
    ]);
  });

  it('reads an mp3: no bit depth for a lossy codec', async () => {
    const file = join(dir, 'song.mp3');
    await makeMp3(file, { seconds: 1 });

    const result = await probeFile(ffprobe, file, { timeoutMs: 20_000 });

    expect(result.container).toBe('mp3');
    expect(result.streams).toEqual([
      expect.objectContaining({ type: 'audio', codec: 'mp3', sampleRate: 44100, bitDepth: null, bitrate: 128000 }),
    ]);
    expect(result.durationMs).toBeGreaterThanOrEqual(1000);
    expect(result.durationMs).toBeLessThanOrEqual(1100);
  });

  it('reads names with spaces, non-Latin letters and a leading dash or protocol-like prefix', async () => {
    for (const name of ['Café 東京.mkv', '-dash.mkv', 'concat:x.mkv']) {
      const file = join(dir, name);
      await makeVideo(file, { seconds: 1, audio: false });
      const result = await probeFile(ffprobe, file, { timeoutMs: 20_000 });
      expect(result.streams.map((s) => s.codec)).toEqual(['h264']);
    }
  });

  it('rejects a truncated mkv clearly instead of returning its header', async () => {
    const file = join(dir, 'truncated.mkv');
    await makeCorrupt(file, 'truncated-mkv');

    const error = await probeFile(ffprobe, file, { timeoutMs: 20_000 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MediaProbeError);
    // The reason in brackets is ffprobe's own words, which differ between ffmpeg versions.
    expect((error as Error).message).toMatch(
      new RegExp(
        `^ffprobe could not read ${escapeRegExp(file)}: stream 0 could not be decoded; the file is truncated or corrupt \\((Read error|File ended prematurely)\\)$`,
      ),
    );
  });

  it('rejects a garbage file with what ffprobe said', async () => {
    const file = join(dir, 'garbage.mkv');
    await makeCorrupt(file, 'garbage');

    const error = await probeFile(ffprobe, file, { timeoutMs: 20_000 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MediaProbeError);
    expect((error as Error).message).toBe(`ffprobe could not read ${file}: Invalid data found when processing input`);
  });

  it('rejects a readable file with no audio or video (a SubRip file) and one with no duration (a JPEG)', async () => {
    const subtitles = join(dir, 'lonely.srt');
    await writeFile(subtitles, '1\n00:00:00,000 --> 00:00:01,000\nHello\n');
    const picture = join(dir, 'still.jpg');
    await makeImage(picture);

    await expect(probeFile(ffprobe, subtitles, { timeoutMs: 20_000 })).rejects.toThrow(
      new MediaProbeError(`ffprobe could not read ${subtitles}: no audio or video streams`),
    );
    await expect(probeFile(ffprobe, picture, { timeoutMs: 20_000 })).rejects.toThrow(
      new MediaProbeError(`ffprobe could not read ${picture}: no duration`),
    );
  });

  it('rejects a missing file', async () => {
    const file = join(dir, 'missing.mkv');
    await expect(probeFile(ffprobe, file, { timeoutMs: 20_000 })).rejects.toThrow(
      `ffprobe could not read ${file}: No such file or directory`,
    );
  });

  it('honours the timeout', async () => {
    const file = join(dir, 'slow.mkv');
    await makeVideo(file, { seconds: 1 });

    const error = await probeFile(ffprobe, file, { timeoutMs: 1 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MediaProbeError);
    expect((error as Error).message).toBe(`ffprobe could not read ${file}: ffprobe timed out after 1 ms`);
    expect(processRunning(file)).toBe(false);
  });

  it('honours an abort: ffprobe is killed and the reason is passed on', async () => {
    const file = join(dir, 'aborted.mkv');
    await makeVideo(file, { seconds: 1 });
    const abort = new AbortController();

    const probing = probeFile(ffprobe, file, { timeoutMs: 20_000, signal: abort.signal });
    abort.abort(new Error('cancelled by test'));

    await expect(probing).rejects.toThrow(new Error('cancelled by test'));
    expect(processRunning(file)).toBe(false);
    const already = new AbortController();
    already.abort(new Error('aborted before start'));
    await expect(probeFile(ffprobe, file, { timeoutMs: 20_000, signal: already.signal })).rejects.toThrow('aborted before start');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
