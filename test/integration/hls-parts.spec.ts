import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import HLS from 'hls-parser';
import { runCapture } from '../../libs/media/src/index.js';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { ffmpegPath, generate } from '../helpers/media-fixtures.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { catalogue, type Catalogued, fetchSegment, raw, segmentFacts } from './hls-helpers.js';

HLS.setOptions({ strictMode: true });
type Media = InstanceType<typeof HLS.types.MediaPlaylist>;

const SEGMENT = 4;
/** One frame at 25 fps. */
const FRAME = 0.04;
const WIDTH = 160;
const HEIGHT = 90;

/** A part of a film: one colour for `seconds`, with a tone. */
async function part(path: string, colour: string, seconds: number): Promise<void> {
  await generate([
    ...['-f', 'lavfi', '-i', `color=c=${colour}:s=${WIDTH}x${HEIGHT}:r=25`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ...['-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', path],
  ]);
}

/** The colour of each frame of a segment: 'red', 'blue' or what it is. */
async function colours(file: string): Promise<string[]> {
  const { stdout } = await runCapture(
    ffmpegPath(),
    ['-v', 'error', '-i', file, '-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    {
      timeoutMs: 30_000,
      maxBytes: 64 * 1024 * 1024,
    },
  );
  const size = WIDTH * HEIGHT * 3;
  const names: string[] = [];
  for (let at = 0; at + size <= stdout.length; at += size) {
    const [r, g, b] = stdout.subarray(at + size / 2, at + size / 2 + 3);
    names.push(r > 200 && g < 60 && b < 60 ? 'red' : b > 200 && r < 60 && g < 60 ? 'blue' : `rgb(${r},${g},${b})`);
  }
  return names;
}

/** A film in two parts (cd1, cd2) plays as one through HLS: one timeline, seeks into either part. */
describe('HLS of a film in parts', () => {
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let user: TestAccount;
  let film: Catalogued;
  /** One film in two versions (1080p and 720p names), which are not parts. */
  let versions: Catalogued;

  beforeAll(async () => {
    const config = testConfig();
    api = await startApi(config);
    worker = await startWorker(config);
    ({ user } = await seedAccounts(api));
    // A quote in a name, to be written into ffmpeg's list of parts.
    const media = mkdtempSync(join(tmpdir(), "marquee-hls-parts-it's-"));
    await part(join(media, 'Film (2001) - cd1.mkv'), 'red', 6);
    await part(join(media, 'Film (2001) - cd2.mkv'), 'blue', 6);
    film = await catalogue(api, [join(media, 'Film (2001) - cd1.mkv'), join(media, 'Film (2001) - cd2.mkv')], 'Film');
    const other = mkdtempSync(join(tmpdir(), 'marquee-hls-versions-'));
    await part(join(other, 'Versions (2001) - 1080p.mkv'), 'red', 6);
    await part(join(other, 'Versions (2001) - 720p.mkv'), 'blue', 4);
    versions = await catalogue(api, [join(other, 'Versions (2001) - 1080p.mkv'), join(other, 'Versions (2001) - 720p.mkv')], 'Versions');
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  const base = () => `/api/v1/stream/${film.itemId}/hls`;

  async function segmentFile(index: number): Promise<string> {
    const response = await fetchSegment(api, `${base()}/240p/${index}.ts`, bearer(user));
    if (response.status !== 200) throw new Error(`segment ${index} answered ${response.status}: ${response.body.toString().slice(0, 300)}`);
    const file = join(mkdtempSync(join(tmpdir(), 'marquee-hls-parts-seg-')), `${index}.ts`);
    writeFileSync(file, response.body);
    return file;
  }

  it('playback of the whole film goes through HLS for both parts; one part asked for plays directly', async () => {
    // A client that plays Matroska, H.264 and AAC directly.
    const whole = await raw(api, 'GET', `/api/v1/items/${film.itemId}/playback?containers=mkv`, bearer(user));
    expect(whole.status).toBe(200);
    const info = JSON.parse(whole.body.toString());
    expect(info.decision).toEqual({
      method: 'hls',
      reasons: ['the film is in 2 parts, which HLS plays as one (ask for a part to play it directly)'],
    });
    expect(info.durationMs).toBeGreaterThan(11_900);
    expect(info.durationMs).toBeLessThan(12_200);
    const second = JSON.parse(
      (await raw(api, 'GET', `/api/v1/items/${film.itemId}/playback?containers=mkv&part=2`, bearer(user))).body.toString(),
    );
    expect(second.decision.method).toBe('direct');
    expect(second.durationMs).toBeLessThan(6_200);
    expect(second.directUrl).toMatch(/[?&]part=2(&|$)/);
  });

  it('versions of a film are not parts: one of them plays, alone', async () => {
    const playlist = HLS.parse(
      (await raw(api, 'GET', `/api/v1/stream/${versions.itemId}/hls/240p/index.m3u8`, bearer(user))).body.toString(),
    ) as Media;
    const total = playlist.segments.reduce((sum, segment) => sum + segment.duration, 0);
    expect(total).toBeGreaterThan(5.9);
    expect(total).toBeLessThan(6.2);
    const info = JSON.parse(
      (await raw(api, 'GET', `/api/v1/items/${versions.itemId}/playback?containers=mkv`, bearer(user))).body.toString(),
    );
    expect(info.decision.method).toBe('direct');
    expect(info.durationMs).toBeLessThan(6_200);
  });

  it('the playlist lasts as long as both parts together', async () => {
    const response = await raw(api, 'GET', `${base()}/240p/index.m3u8`, bearer(user));
    expect(response.status).toBe(200);
    const playlist = HLS.parse(response.body.toString()) as Media;
    const total = playlist.segments.reduce((sum, segment) => sum + segment.duration, 0);
    expect(total).toBeGreaterThan(11.9);
    expect(total).toBeLessThan(12.2);
    expect(playlist.segments).toHaveLength(3);
  });

  it('a seek into the second part starts there; a segment across the join shows the end of one and the start of the other', async () => {
    // Asked first, so its transcode starts at 8 s, inside the second part.
    const last = await segmentFile(2);
    expect(new Set(await colours(last))).toEqual(new Set(['blue']));
    const across = await segmentFile(1);
    const frames = await colours(across);
    expect(frames.length).toBeGreaterThanOrEqual(99);
    expect(frames.slice(0, 50)).toEqual(Array(50).fill('red'));
    expect(frames.slice(51)).toEqual(Array(frames.length - 51).fill('blue'));

    // One timeline: each segment starts 4 s after the one before, the third right after the second ends.
    const [first, second, third] = await Promise.all([await segmentFile(0), across, last].map((file) => segmentFacts(file)));
    expect(Math.abs(second.videoStart! - first.videoStart! - SEGMENT)).toBeLessThan(FRAME / 2);
    expect(Math.abs(third.videoStart! - first.videoStart! - 2 * SEGMENT)).toBeLessThan(FRAME / 2);
    expect(third.videoStart! - second.videoEnd!).toBeCloseTo(FRAME, 3);
    expect(third.streams.map((stream) => stream.codec_type).sort()).toEqual(['audio', 'video']);
  });
});
