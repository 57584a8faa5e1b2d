import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import HLS from 'hls-parser';
import pg from 'pg';
import sharp from 'sharp';
import { JobLedger } from '../../libs/jobs/src/index.js';
import { runCapture } from '../../libs/media/src/index.js';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { combing } from '../helpers/combing.js';
import { ffmpegPath, ffprobePath, generate, turnMp4Display } from '../helpers/media-fixtures.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';
import { catalogue, type Catalogued, fetchSegment, raw } from './hls-helpers.js';

HLS.setOptions({ strictMode: true });
type Master = InstanceType<typeof HLS.types.MasterPlaylist>;

const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast'];

/** The first frames of a segment, decoded to raw pixels of one format. */
async function frames(file: string, pixFmt: 'gray' | 'rgb24', count: number): Promise<Buffer> {
  const { stdout } = await runCapture(
    ffmpegPath(),
    ['-v', 'error', '-i', file, '-frames:v', String(count), '-f', 'rawvideo', '-pix_fmt', pixFmt, 'pipe:1'],
    { timeoutMs: 30_000, maxBytes: 64 * 1024 * 1024 },
  );
  return stdout;
}

/** What ffprobe says of a segment's video stream. */
async function videoOf(file: string): Promise<Record<string, string | number>> {
  const { stdout } = await runCapture(
    ffprobePath(),
    ['-v', 'error', '-print_format', 'json', '-show_streams', '-select_streams', 'v', file],
    {
      timeoutMs: 30_000,
      maxBytes: 1024 * 1024,
    },
  );
  return JSON.parse(stdout.toString()).streams[0];
}

/**
 * The picture as a viewer sees it, through the real api, worker and ffmpeg: turned upright, square
 * pixels, whole frames from interlaced fields, and HDR brought into SDR, in HLS and in the pictures
 * made of a video (its thumbnail, its trickplay).
 */
describe('video pictures', () => {
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let user: TestAccount;
  let media: string;
  let sql: pg.Client;

  beforeAll(async () => {
    const config = testConfig();
    api = await startApi(config);
    worker = await startWorker(config);
    ({ user } = await seedAccounts(api));
    media = mkdtempSync(join(tmpdir(), 'marquee-hls-picture-'));
    sql = new pg.Client({ connectionString: config.databaseUrl });
    await sql.connect();
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await worker?.close();
    await api?.close();
  });

  const master = async (item: Catalogued) => {
    const response = await raw(api, 'GET', `/api/v1/stream/${item.itemId}/hls/master.m3u8`, bearer(user));
    expect(response.status).toBe(200);
    return HLS.parse(response.body.toString()) as Master;
  };

  /** The top rendition's first segment, as a file. */
  async function firstSegment(item: Catalogued): Promise<string> {
    const [top] = (await master(item)).variants;
    const path = `/api/v1/stream/${item.itemId}/hls/${top.uri.replace('/index.m3u8', '')}/0.ts`;
    const response = await fetchSegment(api, path, bearer(user));
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${response.body.toString().slice(0, 300)}`);
    const file = join(mkdtempSync(join(tmpdir(), 'marquee-hls-picture-seg-')), '0.ts');
    writeFileSync(file, response.body);
    return file;
  }

  it('a phone video held upright plays upright: portrait RESOLUTION, portrait frames, the right way up', async () => {
    // Coded 320x180, red on the left and blue on the right, shown turned 90° clockwise: red on top.
    const path = join(media, 'phone.mp4');
    await generate([
      ...['-filter_complex', 'color=c=red:s=160x180:r=25:d=2[l];color=c=blue:s=160x180:r=25:d=2[r];[l][r]hstack'],
      ...X264,
      ...['-pix_fmt', 'yuv420p', path],
    ]);
    await turnMp4Display(path);
    const item = await catalogue(api, path, 'Phone');

    const [top] = (await master(item)).variants;
    expect(top.resolution).toEqual({ width: 180, height: 320 });
    const segment = await firstSegment(item);
    expect(await videoOf(segment)).toMatchObject({ width: 180, height: 320, sample_aspect_ratio: '1:1' });
    const rgb = await frames(segment, 'rgb24', 1);
    const pixel = (x: number, y: number) => [...rgb.subarray((y * 180 + x) * 3, (y * 180 + x) * 3 + 3)];
    const [redTop, greenTop, blueTop] = pixel(90, 20);
    const [redBottom, , blueBottom] = pixel(90, 300);
    expect(redTop).toBeGreaterThan(200);
    expect(Math.max(greenTop, blueTop)).toBeLessThan(60);
    expect(blueBottom).toBeGreaterThan(200);
    expect(redBottom).toBeLessThan(60);
  });

  it('an anamorphic picture gets square pixels at the width it is shown', async () => {
    const path = join(media, 'anamorphic.mkv');
    await generate([
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x180:rate=25',
      '-t',
      '2',
      '-vf',
      'setsar=4/3',
      ...X264,
      '-pix_fmt',
      'yuv420p',
      path,
    ]);
    const item = await catalogue(api, path, 'Anamorphic');

    const [top] = (await master(item)).variants;
    expect(top.resolution).toEqual({ width: 428, height: 180 });
    expect(await videoOf(await firstSegment(item))).toMatchObject({ width: 428, height: 180, sample_aspect_ratio: '1:1' });
  });

  it('an interlaced source is deinterlaced: no combing on a moving edge', async () => {
    // A white bar crossing a black frame, sampled 50 times a second and woven into 25 interlaced frames.
    const path = join(media, 'interlaced.mkv');
    await generate([
      '-filter_complex',
      "color=black:s=320x180:r=50:d=2[bg];color=white:s=40x180:r=50:d=2[bar];[bg][bar]overlay=x='mod(t*400,280)':y=0,format=yuv420p,interlace=scan=tff:lowpass=0",
      ...X264,
      ...['-flags', '+ilme+ildct', '-x264-params', 'tff=1', path],
    ]);
    const item = await catalogue(api, path, 'Interlaced');
    expect((await videoOf(path)).field_order).toMatch(/^(tt|tb)$/);
    // The source itself combs: every other line of the bar's edges belongs to another moment.
    const source = await frames(path, 'gray', 3);
    expect(combing(source.subarray(0, 320 * 180), 320, 180)).toBeGreaterThan(10);

    const segment = await firstSegment(item);
    expect(await videoOf(segment)).toMatchObject({ width: 320, height: 180 });
    const output = await frames(segment, 'gray', 3);
    for (let frame = 0; frame < 3; frame++)
      expect(combing(output.subarray(frame * 320 * 180, (frame + 1) * 320 * 180), 320, 180)).toBeLessThan(2);
  });

  /** Runs a per-file job of the item's file through the worker and waits for it to complete. */
  async function runJob(item: Catalogued, queue: 'thumbnail' | 'trickplay'): Promise<void> {
    const { id } = await api.get(JobLedger).enqueue(queue, queue, { fileId: item.fileId }, { type: 'item', id: item.itemId, label: queue });
    const row = await waitFor(
      async () => {
        const { rows } = await sql.query<{ state: string; error: string | null }>(`SELECT state, error FROM job_runs WHERE id = $1`, [id]);
        return ['completed', 'failed'].includes(rows[0].state) ? rows[0] : undefined;
      },
      `the ${queue} job`,
      60_000,
      100,
    );
    expect(row).toEqual({ state: 'completed', error: null });
  }

  /** The mean green level of an image the api serves for the item. */
  async function meanGreen(path: string): Promise<number> {
    const response = await raw(api, 'GET', path, bearer(user));
    expect(response.status).toBe(200);
    return (await sharp(response.body).stats()).channels[1].mean;
  }

  it('an HDR10 source is tone-mapped into SDR BT.709, not shown as its raw PQ code values', async () => {
    // A 10-bit PQ picture of one grey, about 400 nits; read as if it were SDR it would show as luma 167.
    const path = join(media, 'hdr10.mkv');
    await generate([
      ...['-f', 'lavfi', '-i', 'color=c=0xB0B0B0:s=320x180:rate=25', '-t', '2'],
      ...X264,
      ...['-pix_fmt', 'yuv420p10le', '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', path],
    ]);
    const item = await catalogue(api, path, 'HDR10');

    const segment = await firstSegment(item);
    expect(await videoOf(segment)).toMatchObject({
      pix_fmt: 'yuv420p',
      color_transfer: 'bt709',
      color_primaries: 'bt709',
      color_space: 'bt709',
    });
    const { stdout: yuv } = await runCapture(
      ffmpegPath(),
      ['-v', 'error', '-i', segment, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'],
      { timeoutMs: 30_000, maxBytes: 1024 * 1024 },
    );
    const luma = yuv[90 * 320 + 160];
    expect(luma).toBeGreaterThan(200);
    expect(luma).toBeLessThan(235);

    // Its thumbnail and its trickplay show the same SDR picture (raw PQ code values would be ~170).
    await runJob(item, 'thumbnail');
    expect(await meanGreen(`/api/v1/items/${item.itemId}/artwork/thumb`)).toBeGreaterThan(210);
    await runJob(item, 'trickplay');
    expect(await meanGreen(`/api/v1/items/${item.itemId}/trickplay/0.jpg`)).toBeGreaterThan(210);
  });
});
