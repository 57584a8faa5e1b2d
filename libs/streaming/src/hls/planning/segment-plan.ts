import { SEGMENT_SECONDS } from '../hls.constants.js';

export interface SegmentPlan {
  /** Duration of each segment in milliseconds; they add up to the media's duration. */
  durationsMs: number[];
  segmentMs: number;
}

/**
 * Fixed-length segments covering the probed duration. A remainder shorter than half a segment is
 * added to the last one instead of becoming a segment of its own: the encoder cannot cut there
 * when the picture ends a little before the container (a frame or an audio tail).
 */
export function segmentPlan(durationMs: number, segmentSeconds = SEGMENT_SECONDS): SegmentPlan {
  const segmentMs = segmentSeconds * 1000;
  const total = Math.round(durationMs);
  if (!(total > 0)) return { durationsMs: [], segmentMs };
  const whole = Math.floor(total / segmentMs);
  const remainder = total - whole * segmentMs;
  if (whole === 0) return { durationsMs: [total], segmentMs };
  const durationsMs = Array.from({ length: whole }, () => segmentMs);
  if (remainder >= segmentMs / 2) durationsMs.push(remainder);
  else durationsMs[whole - 1] += remainder;
  return { durationsMs, segmentMs };
}

/** EXT-X-TARGETDURATION: at least every segment's duration rounded up to whole seconds. */
export function targetDuration(plan: SegmentPlan): number {
  return Math.max(1, ...plan.durationsMs.map((ms) => Math.ceil(ms / 1000)));
}
