/** A trickplay thumbnail: a rectangle of a sprite sheet shown for a span of the video. */
export interface TrickplayCue {
  startMs: number;
  endMs: number;
  /** Sprite sheet URL, resolved against the track's URL. */
  image: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

function timestampMs(text: string): number {
  const parts = text.trim().split(':').map(Number);
  let seconds = 0;
  for (const part of parts) seconds = seconds * 60 + part;
  return Math.round(seconds * 1000);
}

/** Parses a WebVTT thumbnails track (`sprite.jpg#xywh=x,y,w,h` per cue), resolving image URLs against `base`. */
export function parseTrickplayVtt(text: string, base: string): TrickplayCue[] {
  const cues: TrickplayCue[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const timing = /^\s*([\d:.]+)\s+-->\s+([\d:.]+)/.exec(lines[i]);
    if (!timing) continue;
    const target = (lines[i + 1] ?? '').trim();
    const fragment = /^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(target);
    if (!fragment) continue;
    cues.push({
      startMs: timestampMs(timing[1]),
      endMs: timestampMs(timing[2]),
      image: new URL(fragment[1], base).toString(),
      x: Number(fragment[2]),
      y: Number(fragment[3]),
      w: Number(fragment[4]),
      h: Number(fragment[5]),
    });
  }
  return cues;
}

/** The cue shown at `ms` (binary search over cues sorted by start); null outside them. */
export function cueAt(cues: readonly TrickplayCue[], ms: number): TrickplayCue | null {
  let lo = 0;
  let hi = cues.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const cue = cues[mid];
    if (ms < cue.startMs) hi = mid - 1;
    else if (ms >= cue.endMs) lo = mid + 1;
    else return cue;
  }
  return null;
}
