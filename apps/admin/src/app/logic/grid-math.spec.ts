import fc from 'fast-check';
import { gridLayout, shouldLoadMore, toRows } from './grid-math.js';

describe('poster grid arithmetic', () => {
  it('fits as many columns as the width allows, never fewer than one', () => {
    expect(gridLayout(1000, 140, 16, 48).columns).toBe(6);
    expect(gridLayout(300, 140, 16, 48).columns).toBe(2);
    expect(gridLayout(100, 140, 16, 48).columns).toBe(1);
    expect(gridLayout(0, 140, 16, 48).columns).toBe(1);
  });

  it('fills the row: tiles and gaps never exceed the width, and tiles are at least the minimum when more than one fits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 40, max: 400 }),
        fc.integer({ min: 0, max: 40 }),
        (width, min, gap) => {
          const { columns, tileWidth, rowHeight } = gridLayout(width, min, gap, 48);
          expect(columns).toBeGreaterThanOrEqual(1);
          if (columns > 1) {
            expect(columns * tileWidth + (columns - 1) * gap).toBeLessThanOrEqual(width);
            expect(tileWidth).toBeGreaterThanOrEqual(min);
          }
          expect(rowHeight).toBe(Math.round(tileWidth * 1.5) + 48 + gap);
        },
      ),
    );
  });

  it('cuts items into rows', () => {
    expect(toRows([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(toRows([], 3)).toEqual([]);
  });

  it('asks for the next page near the end of what is loaded, while there is more', () => {
    expect(shouldLoadMore(7, 10, 100, 500)).toBe(true);
    expect(shouldLoadMore(3, 10, 100, 500)).toBe(false);
    expect(shouldLoadMore(9, 10, 500, 500)).toBe(false);
  });
});
