import fc from 'fast-check';
import { layoutSheets, MAX_THUMBNAILS, planTrickplay, tilePosition } from './trickplay-plan.js';

describe('planTrickplay', () => {
  it.each([
    [500, 1000, 1],
    [2000, 1000, 2],
    [4000, 1000, 4],
    [60_000, 2000, 30],
    [100_000, 4000, 25],
    [300_000, 10_000, 30],
    [2 * 3600_000, 10_000, 720],
    [10 * 3600_000, 18_000, 2000],
  ])('%p ms → every %p ms, %p thumbnails', (durationMs, intervalMs, frameCount) => {
    expect(planTrickplay(durationMs)).toEqual({ intervalMs, frameCount });
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a duration of %p', (durationMs) => {
    expect(() => planTrickplay(durationMs)).toThrow();
  });

  it('always covers the duration in whole seconds, within bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 48 * 3600_000 }), (durationMs) => {
        const { intervalMs, frameCount } = planTrickplay(durationMs);
        expect(intervalMs % 1000).toBe(0);
        expect(intervalMs).toBeGreaterThanOrEqual(1000);
        expect(frameCount).toBeLessThanOrEqual(MAX_THUMBNAILS);
        expect(frameCount * intervalMs).toBeGreaterThanOrEqual(durationMs);
        expect((frameCount - 1) * intervalMs).toBeLessThan(durationMs);
      }),
    );
  });
});

describe('sprite sheet layout', () => {
  it('fills 10 × 10 sheets and crops the last one to what it holds', () => {
    expect(layoutSheets(4, 320, 180)).toEqual([{ first: 0, count: 4, width: 1280, height: 180 }]);
    expect(layoutSheets(123, 320, 180)).toEqual([
      { first: 0, count: 100, width: 3200, height: 1800 },
      { first: 100, count: 23, width: 3200, height: 540 },
    ]);
  });

  it('places every tile inside its sheet, without overlaps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 450 }), fc.integer({ min: 16, max: 400 }), fc.integer({ min: 2, max: 400 }), (count, w, h) => {
        const sheets = layoutSheets(count, w, h);
        expect(sheets.reduce((sum, sheet) => sum + sheet.count, 0)).toBe(count);
        const seen = new Set<string>();
        const misplaced: number[] = [];
        for (let i = 0; i < count; i++) {
          const tile = tilePosition(i, w, h);
          const sheet = sheets[tile.sheet];
          const key = `${tile.sheet}:${tile.x}:${tile.y}`;
          const inside =
            sheet && i >= sheet.first && i < sheet.first + sheet.count && tile.x + tile.w <= sheet.width && tile.y + tile.h <= sheet.height;
          if (!inside || seen.has(key)) misplaced.push(i);
          seen.add(key);
        }
        expect(misplaced).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
