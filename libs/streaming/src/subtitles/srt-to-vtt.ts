import { type Cue, normalizeNewlines, sanitizeCueText, serializeVtt } from './webvtt.js';

/** `[hh:]mm:ss,mmm` (a dot is accepted too, and 1–3 fraction digits). */
const TIME = String.raw`(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})`;
const TIMING = new RegExp(String.raw`^\s*${TIME}\s*-->\s*${TIME}(?:\s.*)?$`);

function toMs(hours: string | undefined, minutes: string, seconds: string, fraction: string): number | undefined {
  const m = Number(minutes);
  const s = Number(seconds);
  if (m > 59 || s > 59) return undefined;
  return Number(hours ?? 0) * 3_600_000 + m * 60_000 + s * 1000 + Number(fraction.padEnd(3, '0'));
}

/**
 * The cues of a SubRip file (text already decoded). Tolerant as players are: the counter line is
 * optional, blank lines end a cue, timings may use a dot, and a cue whose timing is malformed,
 * reversed or empty is skipped rather than failing the file.
 */
export function parseSrt(text: string): Cue[] {
  const lines = normalizeNewlines(text.replace(/^\uFEFF/, '')).split('\n');
  const cues: Cue[] = [];
  let current: { startMs?: number; endMs?: number; lines: string[] } | undefined;
  const finish = () => {
    if (current?.startMs !== undefined && current.endMs !== undefined && current.endMs > current.startMs && current.lines.length) {
      cues.push({ startMs: current.startMs, endMs: current.endMs, text: sanitizeCueText(current.lines.join('\n')) });
    }
    current = undefined;
  };
  for (const line of lines) {
    const timing = TIMING.exec(line);
    if (timing) {
      // A counter line directly above a timing belongs to the new cue, not to the previous text.
      if (current && current.lines.length && /^\s*\d+\s*$/.test(current.lines[current.lines.length - 1])) current.lines.pop();
      finish();
      current = {
        startMs: toMs(timing[1], timing[2], timing[3], timing[4]),
        endMs: toMs(timing[5], timing[6], timing[7], timing[8]),
        lines: [],
      };
      continue;
    }
    if (line.trim() === '') {
      finish();
      continue;
    }
    current?.lines.push(line);
  }
  finish();
  return cues;
}

/** SubRip → WebVTT. */
export function srtToVtt(text: string): string {
  return serializeVtt(parseSrt(text));
}
