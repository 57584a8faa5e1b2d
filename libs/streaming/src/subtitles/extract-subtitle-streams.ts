import { resolve } from 'node:path';
import { runFfmpeg } from '@marquee/media';

export interface SubtitleOutput {
  /** The stream's index in the container, from the catalogue. */
  streamIndex: number;
  /** Absolute path the WebVTT is written to. */
  path: string;
}

export interface ExtractOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Seconds of the input read so far, from ffmpeg's progress lines. */
  onProgress?: (seconds: number) => void;
}

const PROGRESS_TIME = /time=\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/;

/**
 * The ffmpeg arguments: one pass over the input, one WebVTT output per stream (`-map 0:<index>`).
 * `input` is ffmpeg's input options (partsInput: one file, or a film's parts on one timeline).
 */
export function extractSubtitleArgs(input: readonly string[], outputs: readonly SubtitleOutput[]): string[] {
  if (outputs.length === 0) throw new Error('no subtitle streams to extract');
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-stats', '-y', ...input];
  for (const output of outputs) {
    if (!Number.isInteger(output.streamIndex) || output.streamIndex < 0 || output.streamIndex > 99_999)
      throw new Error(`not a stream index: ${output.streamIndex}`);
    args.push('-map', `0:${output.streamIndex}`, '-c:s', 'webvtt', '-f', 'webvtt', `file:${resolve(output.path)}`);
  }
  return args;
}

/** Converts embedded text subtitle streams to WebVTT files with ffmpeg (killed on timeout or abort). */
export async function extractSubtitleStreams(
  ffmpeg: string,
  input: readonly string[],
  outputs: readonly SubtitleOutput[],
  options: ExtractOptions,
): Promise<void> {
  await runFfmpeg(ffmpeg, extractSubtitleArgs(input, outputs), {
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    onStderrLine: (line) => {
      const time = PROGRESS_TIME.exec(line);
      if (time && options.onProgress) options.onProgress(Number(time[1]) * 3600 + Number(time[2]) * 60 + Number(time[3]));
    },
  });
}
