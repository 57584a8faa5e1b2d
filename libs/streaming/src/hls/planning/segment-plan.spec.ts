import fc from 'fast-check';
import { segmentPlan, targetDuration } from './segment-plan.js';

describe('segmentPlan', () => {
  it('cuts fixed 4 s segments, the last one holding the rest', () => {
    expect(segmentPlan(12_000).durationsMs).toEqual([4000, 4000, 4000]);
    expect(segmentPlan(14_000).durationsMs).toEqual([4000, 4000, 4000, 2000]);
    expect(segmentPlan(2_500).durationsMs).toEqual([2500]);
  });

  it('adds a remainder shorter than half a segment to the last segment', () => {
    expect(segmentPlan(12_040).durationsMs).toEqual([4000, 4000, 4040]);
    expect(segmentPlan(13_999).durationsMs).toEqual([4000, 4000, 5999]);
    expect(targetDuration(segmentPlan(13_999))).toBe(6);
  });

  it('has no segments for no duration', () => {
    expect(segmentPlan(0).durationsMs).toEqual([]);
    expect(segmentPlan(Number.NaN).durationsMs).toEqual([]);
  });

  it('always covers the whole duration, every segment but the last is exactly 4 s, and the target duration bounds them all', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 * 3600_000 }), (ms) => {
        const plan = segmentPlan(ms);
        expect(plan.durationsMs.reduce((a, b) => a + b, 0)).toBe(ms);
        expect(plan.durationsMs.slice(0, -1).every((d) => d === 4000)).toBe(true);
        const last = plan.durationsMs[plan.durationsMs.length - 1];
        expect(plan.durationsMs.length === 1 || (last >= 2000 && last < 6000)).toBe(true);
        const target = targetDuration(plan);
        expect(plan.durationsMs.every((d) => Math.round(d / 1000) <= target)).toBe(true);
      }),
    );
  });
});
