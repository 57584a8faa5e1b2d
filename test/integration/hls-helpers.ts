/** Shared by the HLS specs: catalogue rows for generated media, raw HTTP, and what a segment holds. */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import http from 'node:http';
import { dirname } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { Library, MediaFile, MediaItem, MediaStream } from '../../libs/library/src/index.js';
import { probeFile, runCapture } from '../../libs/media/src/index.js';
import { ffmpegPath, ffprobePath } from '../helpers/media-fixtures.js';

export interface Catalogued {
  itemId: string;
  fileId: string;
  durationMs: number;
}

/**
 * Puts a generated file in the catalogue as the probe job would: a library around its folder, an
 * item, the file and its streams. Several paths make one item of several parts (cd1, cd2…), in order.
 */
export async function catalogue(app: NestExpressApplication, paths: string | string[], title: string): Promise<Catalogued> {
  const parts = Array.isArray(paths) ? paths : [paths];
  const dataSource = app.get(DataSource);
  const probes = await Promise.all(parts.map((path) => probeFile(ffprobePath(), path, { timeoutMs: 20_000 })));
  const durationMs = probes.reduce((sum, probe) => sum + probe.durationMs!, 0);
  const library = await dataSource
    .getRepository(Library)
    .save({ name: `hls ${title} ${randomBytes(3).toString('hex')}`, kind: 'movies', folders: [dirname(parts[0])] });
  const item = await dataSource.getRepository(MediaItem).save({ libraryId: library.id, type: 'movie', title, durationMs });
  const files: MediaFile[] = [];
  for (const [index, path] of parts.entries()) {
    const probe = probes[index];
    const info = statSync(path);
    const file = await dataSource.getRepository(MediaFile).save({
      itemId: item.id,
      libraryId: library.id,
      path,
      folder: dirname(path),
      archiveEntry: '',
      category: 'video',
      size: info.size,
      mtime: info.mtime,
      container: probe.container,
      durationMs: probe.durationMs,
      bitrate: probe.bitrate,
      probedAt: new Date(),
    });
    files.push(file);
    await dataSource.getRepository(MediaStream).save(
      probe.streams.map((s) => ({
        fileId: file.id,
        streamIndex: s.index,
        type: s.type,
        codec: s.codec,
        profile: s.profile,
        language: s.language,
        title: s.title,
        width: s.width,
        height: s.height,
        frameRate: s.frameRate,
        bitrate: s.bitrate,
        bitDepth: s.bitDepth,
        sampleRate: s.sampleRate,
        channels: s.channels,
        channelLayout: s.channelLayout,
        hdr: s.hdr,
        rotation: s.rotation,
        sampleAspectRatio: s.sampleAspectRatio,
        interlaced: s.interlaced,
        isDefault: s.isDefault,
        isForced: s.isForced,
      })),
    );
  }
  return { itemId: item.id, fileId: files[0].id, durationMs };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request with the path sent exactly as given (no normalising, no re-encoding). */
export function raw(
  app: NestExpressApplication,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<RawResponse> {
  const { port } = app.getHttpServer().address() as { port: number };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A segment as a player fetches it: retried while the server answers 503 (still transcoding). */
export async function fetchSegment(app: NestExpressApplication, path: string, headers: Record<string, string> = {}, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await raw(app, 'GET', path, headers);
    if (response.status !== 503 || Date.now() > deadline) return response;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function run(binary: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) =>
    execFile(binary, args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${binary} failed: ${stderr || error.message}`)) : resolve({ stdout, stderr }),
    ),
  );
}

export interface SegmentFacts {
  streams: {
    codec_type: string;
    codec_name: string;
    profile?: string;
    level?: number;
    channels?: number;
    sample_rate?: string;
    width?: number;
    height?: number;
  }[];
  /** PTS (seconds) of the first video frame in display order, and of the first audio frame. */
  videoStart: number | null;
  audioStart: number | null;
  videoEnd: number | null;
}

/** What ffprobe says of one MPEG-TS segment file. */
export async function segmentFacts(file: string): Promise<SegmentFacts> {
  const { stdout } = await run(ffprobePath(), ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_packets', file]);
  const json = JSON.parse(stdout) as {
    streams: SegmentFacts['streams'] & { index: number }[];
    packets: { codec_type: string; pts_time?: string; duration_time?: string }[];
  };
  const times = (type: string) =>
    json.packets.filter((p) => p.codec_type === type && p.pts_time !== undefined).map((p) => Number(p.pts_time));
  const video = times('video');
  const audio = times('audio');
  return {
    streams: json.streams,
    videoStart: video.length ? Math.min(...video) : null,
    audioStart: audio.length ? Math.min(...audio) : null,
    videoEnd: video.length ? Math.max(...video) : null,
  };
}

/** H.264 NAL unit types of the video in a segment, in stream order (5 = IDR slice, 1 = other slice). */
export async function nalTypes(file: string): Promise<number[]> {
  const { stdout } = await runCapture(ffmpegPath(), ['-v', 'error', '-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'h264', 'pipe:1'], {
    timeoutMs: 30_000,
    maxBytes: 64 * 1024 * 1024,
  });
  const types: number[] = [];
  for (let i = 0; i + 3 < stdout.length; i++) {
    if (stdout[i] === 0 && stdout[i + 1] === 0 && stdout[i + 2] === 1) {
      types.push(stdout[i + 3] & 0x1f);
      i += 3;
    }
  }
  return types;
}

/** The loudest sample of a segment's audio, in dB (silence is about -91). */
export async function maxVolume(file: string): Promise<number> {
  const { stderr } = await run(ffmpegPath(), [
    '-hide_banner',
    '-nostats',
    '-i',
    file,
    '-map',
    '0:a:0',
    '-af',
    'volumedetect',
    '-f',
    'null',
    '-',
  ]);
  const match = /max_volume: (-?[\d.]+|-inf) dB/.exec(stderr);
  if (!match) throw new Error(`no volume in: ${stderr.slice(-500)}`);
  return match[1] === '-inf' ? -Infinity : Number(match[1]);
}

/** ffprobe reading a URL as any client would (here: an HLS master playlist). */
export async function probeUrl(url: string): Promise<{
  format: { duration?: string; format_name?: string };
  streams: { codec_type: string; codec_name: string; channels?: number }[];
}> {
  const { stdout } = await run(ffprobePath(), ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', url]);
  return JSON.parse(stdout);
}
