import { join } from 'node:path';
import { DEINTERLACE_FILTER, toneMapFilters } from '@marquee/media';
import { concatList, PARTS_LIST_FILE, partsInput } from '../../parts/concat-list.js';
import { MAX_RUN_SEGMENTS, TIMESTAMP_BASE_SECONDS } from '../hls.constants.js';
import { levelOption } from './codecs.js';
import { AUDIO_KBPS, AUDIO_SAMPLE_RATE, type Rendition, type VideoRendition } from './ladder.js';
import type { SegmentPlan } from './segment-plan.js';

export const SEGMENT_LIST_FILE = 'segments.csv';
const X264_PRESET = 'veryfast';
const X264_CRF = 23;

export interface TranscodeRun {
  /** The source's files in playing order (one, or a film's parts), absolute paths from the catalogue, with their probed durations. */
  sources: { path: string; durationMs: number }[];
  videoStreamIndex: number | null;
  audioStreamIndex: number | null;
  rendition: Rendition;
  plan: SegmentPlan;
  /** First segment this run makes. */
  startSegment: number;
  /** Last segment it may make (the run stops earlier only at the end of the media or after MAX_RUN_SEGMENTS). */
  lastSegment?: number;
  /** Where ffmpeg writes its segments and its list of finished ones. */
  workDir: string;
}

export interface TranscodeCommand {
  args: string[];
  /** For a film in parts: the concat list to write to PARTS_LIST_FILE in the work folder before ffmpeg starts. */
  partsList?: string;
  /** Last segment this run makes (a run covers at most MAX_RUN_SEGMENTS). */
  lastSegment: number;
  /** Seconds of media the run encodes. */
  seconds: number;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * The picture's way to the rendition, after ffmpeg has turned it upright (its display matrix):
 * fields made frames, HDR tone-mapped to SDR BT.709 (resized while still linear, which is
 * cheaper and better), scaled to the rendition with square pixels, 8-bit 4:2:0.
 */
export function videoFilters(rendition: VideoRendition): string {
  const size = { width: rendition.width, height: rendition.height };
  return [
    ...(rendition.deinterlace ? [DEINTERLACE_FILTER] : []),
    ...(rendition.toneMap ? toneMapFilters(rendition.toneMap, size) : [`scale=${size.width}:${size.height}`]),
    'setsar=1',
    'format=yuv420p',
  ].join(',');
}
const checkIndex = (index: number | null, what: string) => {
  if (index !== null && !(Number.isSafeInteger(index) && index >= 0 && index < 10_000))
    throw new Error(`Bad ${what} stream index ${index}`);
};

/**
 * The ffmpeg command of one transcode run: from segment `startSegment` to the end (or the run's
 * cap), H.264 + AAC stereo in MPEG-TS segments cut by the segment muxer at the plan's boundaries,
 * each starting with a forced IDR frame. A run that starts later seeks the input to its first
 * segment and offsets its output timestamps by the same amount, so its segments continue the
 * timeline exactly where a run from the start would have put them. Every value comes from the
 * catalogue, the rendition allowlist or integers; nothing from a request.
 */
export function transcodeCommand(run: TranscodeRun): TranscodeCommand {
  const { plan, startSegment, rendition } = run;
  const count = plan.durationsMs.length;
  if (!Number.isSafeInteger(startSegment) || startSegment < 0 || startSegment >= count)
    throw new Error(`Segment ${startSegment} is outside the plan (0–${count - 1})`);
  checkIndex(run.videoStreamIndex, 'video');
  checkIndex(run.audioStreamIndex, 'audio');
  if (run.sources.length === 0) throw new Error('A transcode needs a source');
  for (const source of run.sources) {
    if (!source.path.startsWith('/')) throw new Error('The source path must be absolute');
    if (/[\r\n]/.test(source.path)) throw new Error('A source path with a line break cannot be listed for ffmpeg');
    if (!(Number.isFinite(source.durationMs) && source.durationMs > 0)) throw new Error(`Bad duration ${source.durationMs} of a source`);
  }

  const lastSegment = Math.min(count - 1, startSegment + MAX_RUN_SEGMENTS - 1, run.lastSegment ?? Infinity);
  if (lastSegment < startSegment) throw new Error(`The run would end (${lastSegment}) before it starts (${startSegment})`);
  const startMs = startSegment * plan.segmentMs;
  const endMs = plan.durationsMs.slice(0, lastSegment + 1).reduce((sum, ms) => sum + ms, 0);
  const baseMs = TIMESTAMP_BASE_SECONDS * 1000;
  // Cut points between this run's segments, on the offset timeline the muxer sees. A run with one
  // segment gets a cut point past its end: the muxer needs at least one.
  const cuts = [];
  for (let index = startSegment + 1; index <= lastSegment; index++) cuts.push(seconds(baseMs + index * plan.segmentMs));
  if (cuts.length === 0) cuts.push(seconds(baseMs + endMs + plan.segmentMs));

  const video = rendition.kind === 'video';
  if (video && run.videoStreamIndex === null) throw new Error('A video rendition needs a video stream');
  const audio = rendition.kind === 'audio' || rendition.withAudio;
  if (audio && run.audioStreamIndex === null) throw new Error('This rendition needs an audio stream');

  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'];
  if (startMs > 0) args.push('-ss', seconds(startMs));
  // `file:` keeps ffmpeg from reading a protocol or an option out of the path.
  const partsList = run.sources.length > 1 ? concatList(run.sources) : undefined;
  args.push(...partsInput(run.sources, join(run.workDir, PARTS_LIST_FILE)));
  if (video) args.push('-map', `0:${run.videoStreamIndex}`);
  if (audio) args.push('-map', `0:${run.audioStreamIndex}`);
  args.push('-map_metadata', '-1', '-map_chapters', '-1', '-sn', '-dn');
  if (rendition.kind === 'video') {
    const kbps = rendition.maxKbps;
    args.push(
      '-vf',
      videoFilters(rendition),
      '-c:v',
      'libx264',
      '-preset',
      X264_PRESET,
      '-profile:v',
      'high',
      '-level:v',
      levelOption(rendition.level),
      '-pix_fmt',
      'yuv420p',
      '-crf',
      String(X264_CRF),
      '-maxrate',
      `${kbps}k`,
      '-bufsize',
      `${kbps}k`,
      '-force_key_frames',
      `expr:gte(t,n_forced*${plan.segmentMs / 1000})`,
    );
    if (rendition.toneMap) args.push('-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709');
  }
  if (audio) args.push('-c:a', 'aac', '-ac', '2', '-ar', String(AUDIO_SAMPLE_RATE), '-b:a', `${AUDIO_KBPS}k`);
  if (lastSegment < count - 1) args.push('-t', seconds(endMs - startMs));
  args.push(
    '-max_muxing_queue_size',
    '1024',
    '-output_ts_offset',
    seconds(baseMs + startMs),
    '-f',
    'segment',
    '-segment_format',
    'mpegts',
    '-segment_times',
    cuts.join(','),
    '-segment_start_number',
    String(startSegment),
    '-segment_list',
    join(run.workDir, SEGMENT_LIST_FILE),
    '-segment_list_type',
    'csv',
    // The segment muxer reads the name as a pattern: a '%' of the folder's own is escaped.
    join(run.workDir.replaceAll('%', '%%'), '%d.ts'),
  );
  return { args, lastSegment, seconds: (endMs - startMs) / 1000, ...(partsList ? { partsList } : {}) };
}

/**
 * The segments ffmpeg has finished, in the order it finished them: `12.ts,<start>,<end>` lines. The
 * segment muxer appends a line once it has written a segment's trailer and flushed it; a line
 * still being written (no newline yet) is not counted.
 */
export function finishedSegments(list: string): number[] {
  const done: number[] = [];
  const complete = list.slice(0, list.lastIndexOf('\n') + 1);
  for (const line of complete.split('\n')) {
    const match = /^(\d{1,9})\.ts,[-\d.e+]+,[-\d.e+]+$/.exec(line.trim());
    if (match) done.push(Number(match[1]));
  }
  return done;
}
