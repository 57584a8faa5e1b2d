import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ffmpegPath, generate, makeCorrupt, makeVideo } from '../../../../test/helpers/media-fixtures.js';
import { combing } from '../../../../test/helpers/combing.js';
import { processRunning } from '../../../../test/helpers/processes.js';
import { grabFrame } from './grab-frame.js';

const ffmpeg = ffmpegPath();
let dir: string;
let video: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marquee-grab-'));
  video = join(dir, 'movie.mkv');
  await makeVideo(video, { seconds: 2, width: 640, height: 360, source: 'smptebars' });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('grabFrame', () => {
  it('returns a JPEG of the frame at full size', async () => {
    const jpeg = await grabFrame(ffmpeg, video, 200, { timeoutMs: 20_000 });

    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const metadata = await sharp(jpeg).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['jpeg', 640, 360]);
    // Colour bars, not a blank frame.
    const { channels } = await sharp(jpeg).stats();
    expect(channels[0].stdev).toBeGreaterThan(30);
    expect(channels[0].mean).toBeGreaterThan(50);
  });

  it('tone-maps an HDR10 source when asked, so the picture is not shown as its raw PQ code values', async () => {
    // One grey of about 400 nits in PQ: read as if it were SDR it shows as RGB ~170.
    const hdr = join(dir, 'hdr10.mkv');
    await generate([
      ...['-f', 'lavfi', '-i', 'color=c=0xB0B0B0:s=160x90:rate=25', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast'],
      ...['-pix_fmt', 'yuv420p10le', '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', hdr],
    ]);
    const grey = async (picture?: { toneMap: 'pq' }) =>
      (await sharp(await grabFrame(ffmpeg, hdr, 0, { timeoutMs: 20_000, picture })).stats()).channels[1].mean;
    expect(await grey()).toBeLessThan(185);
    expect(await grey({ toneMap: 'pq' })).toBeGreaterThan(210);
  });

  it('deinterlaces an interlaced source when asked: no combing on a moving edge', async () => {
    const interlaced = join(dir, 'interlaced.mkv');
    await generate([
      '-filter_complex',
      "color=black:s=320x180:r=50:d=1[bg];color=white:s=40x180:r=50:d=1[bar];[bg][bar]overlay=x='mod(t*400,280)':y=0,format=yuv420p,interlace=scan=tff:lowpass=0",
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-flags', '+ilme+ildct', '-x264-params', 'tff=1', interlaced],
    ]);
    const combingOf = async (deinterlace: boolean) => {
      const png = await grabFrame(ffmpeg, interlaced, 200, { timeoutMs: 20_000, format: 'png', picture: { deinterlace } });
      const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
      return combing(data, info.width, info.height);
    };
    expect(await combingOf(false)).toBeGreaterThan(10);
    expect(await combingOf(true)).toBeLessThan(2);
  });

  it('scales down to maxWidth keeping the aspect ratio, and can return PNG', async () => {
    const png = await grabFrame(ffmpeg, video, 1000, { timeoutMs: 20_000, maxWidth: 320, format: 'png' });
    const metadata = await sharp(png).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['png', 320, 180]);
    const small = await grabFrame(ffmpeg, video, 1000, { timeoutMs: 20_000, maxWidth: 1920 });
    expect((await sharp(small).metadata()).width).toBe(640);
  });

  it('rejects a corrupt file and a time past the end clearly', async () => {
    const corrupt = join(dir, 'corrupt.mkv');
    await makeCorrupt(corrupt, 'garbage');
    await expect(grabFrame(ffmpeg, corrupt, 200, { timeoutMs: 20_000 })).rejects.toThrow(
      new RegExp(
        `^could not grab a frame at 0\\.200 s of ${corrupt}: ffmpeg exited with code 1: .*Invalid data found when processing input$`,
      ),
    );
    await expect(grabFrame(ffmpeg, video, 60_000, { timeoutMs: 20_000 })).rejects.toThrow(
      `could not grab a frame at 60.000 s of ${video}: ffmpeg produced no image (is the time past the end?)`,
    );
  });

  it('refuses a negative time and an out-of-range width before running ffmpeg', async () => {
    await expect(grabFrame(ffmpeg, video, -1, { timeoutMs: 20_000 })).rejects.toThrow(
      'cannot grab a frame at -1 ms: the time must be 0 or more',
    );
    await expect(grabFrame(ffmpeg, video, 0, { timeoutMs: 20_000, maxWidth: 8 })).rejects.toThrow(
      'cannot grab a frame 8 px wide: maxWidth must be an integer from 16 to 8192',
    );
  });

  it('honours the timeout and an abort', async () => {
    await expect(grabFrame(ffmpeg, video, 200, { timeoutMs: 1 })).rejects.toThrow(
      `could not grab a frame at 0.200 s of ${video}: ffmpeg timed out after 1 ms`,
    );
    const abort = new AbortController();
    const grabbing = grabFrame(ffmpeg, video, 200, { timeoutMs: 20_000, signal: abort.signal });
    abort.abort(new Error('cancelled by test'));
    await expect(grabbing).rejects.toThrow(new Error('cancelled by test'));
    expect(processRunning(video)).toBe(false);
  });
});
