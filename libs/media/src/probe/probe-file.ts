import { basename, resolve } from 'node:path';
import { FfmpegError } from '../ffmpeg/run-ffmpeg.js';
import { runCapture } from '../ffmpeg/run-capture.js';
import { MediaProbeError } from './media-probe-error.js';
import { normalizeProbe, type ProbeResult } from './normalize-probe.js';

export interface ProbeFileOptions {
  timeoutMs: number;
  /** Aborting kills ffprobe and rejects with the signal's reason (not a MediaProbeError). */
  signal?: AbortSignal;
}

// Generous: a file with thousands of chapters or attachments still fits.
const MAX_PROBE_OUTPUT_BYTES = 32 * 1024 * 1024;

/**
 * Probes a media file with ffprobe. Rejects with a MediaProbeError when ffprobe fails, times out,
 * or the file holds nothing playable: no streams, no duration, or streams ffprobe could not decode
 * while it reported read errors (a truncated Matroska file still has a readable header that
 * lists its tracks and duration, so only the errors tell it apart).
 */
export async function probeFile(ffprobePath: string, path: string, options: ProbeFileOptions): Promise<ProbeResult> {
  // The file: prefix keeps a name such as "concat:x" or "-x" from being read as a protocol or an option.
  const input = `file:${resolve(path)}`;
  const args = ['-hide_banner', '-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-i', input];
  let stdout: Buffer;
  let stderr: string;
  try {
    ({ stdout, stderr } = await runCapture(ffprobePath, args, { ...options, maxBytes: MAX_PROBE_OUTPUT_BYTES }));
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const reason = error instanceof FfmpegError ? ffprobeReason(error.stderrTail, input) || error.message : String(error);
    throw new MediaProbeError(`ffprobe could not read ${path}: ${reason}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(stdout.toString('utf8'));
  } catch (error) {
    throw new MediaProbeError(`ffprobe could not read ${path}: its output is not JSON`, { cause: error });
  }
  const result = normalizeProbe(json, basename(path));
  assertPlayable(result, json, path, ffprobeReason(stderr, input));
  return result;
}

function assertPlayable(result: ProbeResult, json: unknown, path: string, errors: string): void {
  const problem = (what: string) => new MediaProbeError(`ffprobe could not read ${path}: ${what}${errors ? ` (${errors})` : ''}`);
  const media = result.streams.filter((s) => s.type === 'video' || s.type === 'audio');
  if (media.length === 0) throw problem('no audio or video streams');
  if (!result.durationMs) throw problem('no duration');
  const undecoded = undecodedStreams(json);
  if (undecoded.length === media.length || (undecoded.length > 0 && errors)) {
    throw problem(
      `${undecoded.length > 1 ? 'streams' : 'stream'} ${undecoded.join(', ')} could not be decoded; the file is truncated or corrupt`,
    );
  }
}

/** Indexes of audio/video streams whose decoding parameters ffprobe could not find (no pixel format, no sample rate). */
function undecodedStreams(json: unknown): number[] {
  const streams = (json as { streams?: Array<Record<string, unknown>> }).streams ?? [];
  return streams
    .filter((s) => {
      const attachedPicture = (s.disposition as Record<string, unknown> | undefined)?.attached_pic === 1;
      if (s.codec_type === 'video' && !attachedPicture) return !s.pix_fmt;
      if (s.codec_type === 'audio') return !s.sample_rate || s.sample_rate === '0';
      return false;
    })
    .map((s) => Number(s.index));
}

/**
 * What ffprobe said went wrong: its verdict on the input ("<input>: Invalid data found…") when it
 * gave one, else its distinct error lines without the "[demuxer @ 0x…]" prefixes.
 */
function ffprobeReason(stderr: string, input: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const verdicts = lines.filter((line) => line.startsWith(`${input}: `)).map((line) => line.slice(input.length + 2));
  if (verdicts.length) return verdicts[verdicts.length - 1];
  return [...new Set(lines.map((line) => line.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/, '')))].slice(-3).join('; ');
}
