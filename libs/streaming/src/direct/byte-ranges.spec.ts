import fc from 'fast-check';
import {
  type ByteRange,
  contentRange,
  countOverlaps,
  DEFAULT_RANGE_LIMITS,
  parseRangeHeader,
  planRanges,
  type RangePlan,
  type RangeSpec,
  satisfiableRanges,
  unsatisfiedContentRange,
} from './byte-ranges.js';

const partial = (...ranges: [number, number][]): RangePlan => ({ kind: 'partial', ranges: ranges.map(([start, end]) => ({ start, end })) });
const full = (reason: string) => ({ kind: 'full', reason });
const UNSATISFIABLE = { kind: 'unsatisfiable' };

/** The bytes a spec selects from a representation of `size` bytes, by brute force over every position. */
function selectedPositions(spec: RangeSpec, size: number): number[] {
  const positions: number[] = [];
  for (let p = 0; p < size; p++) {
    if (
      'suffix' in spec ? BigInt(p) >= BigInt(size) - spec.suffix : BigInt(p) >= spec.first && (spec.last === null || BigInt(p) <= spec.last)
    ) {
      positions.push(p);
    }
  }
  return positions;
}

const render = (spec: RangeSpec) => ('suffix' in spec ? `-${spec.suffix}` : `${spec.first}-${spec.last ?? ''}`);

describe('planRanges: the cases of the issue', () => {
  it.each([
    ['bytes=0-99', 1000, partial([0, 99])],
    ['bytes=100-', 1000, partial([100, 999])],
    ['bytes=-500', 1000, partial([500, 999])],
    ['bytes=900-2000', 1000, partial([900, 999])],
    ['bytes=0-0', 1000, partial([0, 0])],
    ['bytes=-1', 1000, partial([999, 999])],
    ['bytes=999-999', 1000, partial([999, 999])],
    ['bytes=-5000', 1000, partial([0, 999])],
    ['bytes=0-', 1000, partial([0, 999])],
    ['bytes=500-', 100, UNSATISFIABLE],
    ['bytes=100-100', 100, UNSATISFIABLE],
    ['bytes=100-', 100, UNSATISFIABLE],
    ['bytes=-0', 100, UNSATISFIABLE],
    ['bytes=99-', 100, partial([99, 99])],
  ])('%s of %i bytes', (header, size, expected) => {
    expect(planRanges(header, size)).toEqual(expected);
  });

  it('keeps several ranges in request order, satisfiable ones only', () => {
    expect(planRanges('bytes=0-9,20-29', 100)).toEqual(partial([0, 9], [20, 29]));
    expect(planRanges('bytes=20-29,0-9', 100)).toEqual(partial([20, 29], [0, 9]));
    expect(planRanges('bytes=-10,0-4,50-', 100)).toEqual(partial([90, 99], [0, 4], [50, 99]));
    expect(planRanges('bytes=0-9,500-600', 100)).toEqual(partial([0, 9]));
    expect(planRanges('bytes=500-,-0,100-200', 100)).toEqual(UNSATISFIABLE);
  });

  it('no header, another unit or a malformed header: the whole representation', () => {
    expect(planRanges(undefined, 100)).toEqual(full('no-range'));
    expect(planRanges('items=0-5', 100)).toEqual(full('unknown-unit'));
    expect(planRanges('none=0-5', 100)).toEqual(full('unknown-unit'));
    for (const header of [
      '',
      'bytes',
      'bytes=',
      'bytes=,',
      'bytes= , ',
      '=0-1',
      'bytes 0-1',
      'bytes=abc',
      'bytes=5-1',
      'bytes=1-2-3',
      'bytes=--1',
      'bytes=-',
      'bytes=-1-2',
      'bytes=0x10-20',
      'bytes=+1-2',
      'bytes=1.5-2',
      'bytes=0 - 1',
      'bytes=0-1;q=1',
      'bytes=١-٢',
      'bytes=0-1,abc',
      'by tes=0-1',
      'bytes=0-,5-0,5-1,5-2,5-3,5-4',
    ]) {
      expect({ header, plan: planRanges(header, 100) }).toEqual({ header, plan: full('malformed') });
    }
  });

  it('reads the unit case-insensitively and list whitespace and empty elements leniently', () => {
    expect(planRanges('Bytes=0-1', 100)).toEqual(partial([0, 1]));
    expect(planRanges('BYTES=0-1', 100)).toEqual(partial([0, 1]));
    expect(planRanges('bytes=0-1, 3-4', 100)).toEqual(partial([0, 1], [3, 4]));
    expect(planRanges('bytes=0-1 ,\t3-4', 100)).toEqual(partial([0, 1], [3, 4]));
    expect(planRanges('bytes=0-1,,3-4,', 100)).toEqual(partial([0, 1], [3, 4]));
    expect(planRanges('bytes=,0-1', 100)).toEqual(partial([0, 1]));
  });

  it('parses huge numbers exactly, without overflow', () => {
    expect(planRanges('bytes=0-99999999999999999999999999999999', 100)).toEqual(partial([0, 99]));
    expect(planRanges('bytes=99999999999999999999999999999999-', 100)).toEqual(UNSATISFIABLE);
    expect(planRanges('bytes=-99999999999999999999999999999999', 100)).toEqual(partial([0, 99]));
    expect(planRanges('bytes=00000000000000000000000000000001-2', 100)).toEqual(partial([1, 2]));
    // 2^64 - 1 < 2^64: a last-pos below its first-pos, however large both are.
    expect(planRanges('bytes=18446744073709551616-18446744073709551615', 100)).toEqual(full('malformed'));
    expect(planRanges('bytes=9007199254740993-9007199254740993', 9007199254740991)).toEqual(UNSATISFIABLE);
    expect(planRanges('bytes=9007199254740990-', 9007199254740991)).toEqual(partial([9007199254740990, 9007199254740990]));
    expect(planRanges(`bytes=0-${'9'.repeat(5000)}`, 100)).toEqual(partial([0, 99]));
  });

  it('a zero-length file: a suffix range gets the (empty) whole, anything else is unsatisfiable', () => {
    expect(planRanges('bytes=-5', 0)).toEqual(full('empty-representation'));
    expect(planRanges('bytes=0-', 0)).toEqual(UNSATISFIABLE);
    expect(planRanges('bytes=0-0', 0)).toEqual(UNSATISFIABLE);
    expect(planRanges('bytes=-0', 0)).toEqual(UNSATISFIABLE);
  });

  it('caps the number of ranges: one more than the limit and the whole file is sent', () => {
    const many = (n: number) => `bytes=${Array.from({ length: n }, (_, i) => `${i * 2}-${i * 2}`).join(',')}`;
    const atLimit = planRanges(many(DEFAULT_RANGE_LIMITS.maxRanges), 1000);
    expect(atLimit.kind).toBe('partial');
    expect(atLimit.kind === 'partial' && atLimit.ranges).toHaveLength(DEFAULT_RANGE_LIMITS.maxRanges);
    expect(planRanges(many(DEFAULT_RANGE_LIMITS.maxRanges + 1), 1000)).toEqual(full('too-many-ranges'));
    expect(planRanges(many(10_000), 100_000)).toEqual(full('too-many-ranges'));
    expect(planRanges('bytes=0-0,2-2,4-4', 100, { maxRanges: 2, maxOverlaps: 2 })).toEqual(full('too-many-ranges'));
  });

  it('caps overlapping ranges (the Apache Killer class)', () => {
    expect(planRanges('bytes=0-,0-', 100)).toEqual(partial([0, 99], [0, 99]));
    expect(planRanges('bytes=0-50,40-60,55-70', 100)).toEqual(partial([0, 50], [40, 60], [55, 70]));
    expect(planRanges('bytes=0-,0-,0-', 100)).toEqual(partial([0, 99], [0, 99], [0, 99]));
    expect(planRanges('bytes=0-,0-,0-,0-', 100)).toEqual(full('too-many-overlaps'));
    expect(planRanges(`bytes=0-,${Array.from({ length: 30 }, (_, i) => `5-${i + 5}`).join(',')}`, 100)).toEqual(full('too-many-overlaps'));
    // Adjacent ranges share no byte.
    expect(planRanges('bytes=0-9,10-19,20-29,30-39', 100)).toEqual(partial([0, 9], [10, 19], [20, 29], [30, 39]));
    expect(planRanges('bytes=0-9,9-19,19-29,29-39', 100)).toEqual(full('too-many-overlaps'));
    expect(planRanges('bytes=0-9,9-19', 100, { maxRanges: 32, maxOverlaps: 0 })).toEqual(full('too-many-overlaps'));
  });

  it('formats Content-Range', () => {
    expect(contentRange({ start: 0, end: 99 }, 1000)).toBe('bytes 0-99/1000');
    expect(unsatisfiedContentRange(100)).toBe('bytes */100');
  });
});

describe('planRanges: exhaustively over small sizes', () => {
  const sizes = Array.from({ length: 13 }, (_, i) => i);
  const positions = Array.from({ length: 16 }, (_, i) => BigInt(i));
  const specs: RangeSpec[] = [
    ...positions.map((suffix) => ({ suffix })),
    ...positions.flatMap((first) => [{ first, last: null }, ...positions.filter((last) => last >= first).map((last) => ({ first, last }))]),
  ];

  it('every single range-spec selects exactly the bytes the definition says', () => {
    let checked = 0;
    for (const size of sizes) {
      for (const spec of specs) {
        const selected = selectedPositions(spec, size);
        const plan = planRanges(`bytes=${render(spec)}`, size);
        let expected: RangePlan;
        if (selected.length > 0) expected = partial([selected[0], selected[selected.length - 1]]);
        else if (size === 0 && 'suffix' in spec && spec.suffix > 0n) expected = { kind: 'full', reason: 'empty-representation' };
        else expected = { kind: 'unsatisfiable' };
        expect({ size, spec: render(spec), plan }).toEqual({ size, spec: render(spec), plan: expected });
        checked++;
      }
    }
    expect(checked).toBe(sizes.length * specs.length);
  });

  it('every pair of range-specs: satisfiable ones in order, overlaps counted by brute force', () => {
    const few = specs.filter((spec) => ('suffix' in spec ? spec.suffix < 8n : spec.first < 8n && (spec.last ?? 0n) < 8n));
    for (const size of [0, 1, 5, 7]) {
      for (const a of few) {
        for (const b of few) {
          const plan = planRanges(`bytes=${render(a)},${render(b)}`, size, { maxRanges: 2, maxOverlaps: 0 });
          const parts = [a, b].map((spec) => selectedPositions(spec, size)).filter((bytes) => bytes.length > 0);
          const overlap = parts.length === 2 && parts[0].some((p) => parts[1].includes(p));
          let expected: RangePlan;
          if (parts.length === 0) {
            const suffixOnEmpty = size === 0 && [a, b].some((spec) => 'suffix' in spec && spec.suffix > 0n);
            expected = suffixOnEmpty ? { kind: 'full', reason: 'empty-representation' } : { kind: 'unsatisfiable' };
          } else if (overlap) expected = { kind: 'full', reason: 'too-many-overlaps' };
          else expected = partial(...parts.map((bytes): [number, number] => [bytes[0], bytes[bytes.length - 1]]));
          expect({ size, header: `${render(a)},${render(b)}`, plan }).toEqual({
            size,
            header: `${render(a)},${render(b)}`,
            plan: expected,
          });
        }
      }
    }
  });
});

describe('byte ranges: properties', () => {
  const specArbitrary: fc.Arbitrary<RangeSpec> = fc.oneof(
    fc.bigInt({ min: 0n, max: 2n ** 80n }).map((suffix) => ({ suffix })),
    fc
      .tuple(fc.bigInt({ min: 0n, max: 2n ** 80n }), fc.option(fc.bigInt({ min: 0n, max: 2n ** 80n }), { nil: null }))
      .map(([a, b]) => (b === null ? { first: a, last: null } : { first: a < b ? a : b, last: a < b ? b : a })),
    fc.tuple(fc.nat(2000), fc.option(fc.nat(2000), { nil: null })).map(([a, b]) => ({
      first: BigInt(b === null ? a : Math.min(a, b)),
      last: b === null ? null : BigInt(Math.max(a, b)),
    })),
  );
  const whitespace = fc.constantFrom('', ' ', '\t', '  ');
  const sizeArbitrary = fc.oneof(fc.nat(3000), fc.constant(0), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));

  it('never throws on any header, and what it plans stays inside the file', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^bytes=[-0-9, ]{0,40}$/)),
        sizeArbitrary,
        (header, size) => {
          const plan = planRanges(header, size);
          if (plan.kind === 'partial') {
            expect(plan.ranges.length).toBeGreaterThan(0);
            expect(plan.ranges.length).toBeLessThanOrEqual(DEFAULT_RANGE_LIMITS.maxRanges);
            for (const range of plan.ranges) {
              expect(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end)).toBe(true);
              expect(0 <= range.start && range.start <= range.end && range.end < size).toBe(true);
            }
            expect(countOverlaps(plan.ranges)).toBeLessThanOrEqual(DEFAULT_RANGE_LIMITS.maxOverlaps);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a rendered list of specs parses back to the same specs (any case, list whitespace, empty elements)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(specArbitrary, whitespace, whitespace, fc.boolean()), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('bytes', 'Bytes', 'BYTES'),
        (elements, unit) => {
          const header = `${unit}=${elements.map(([spec, before, after, emptyBefore]) => `${emptyBefore ? ',' : ''}${before}${render(spec)}${after}`).join(',')}`;
          expect(parseRangeHeader(header)).toEqual({ kind: 'bytes', specs: elements.map(([spec]) => spec) });
        },
      ),
    );
  });

  it('each satisfiable range is exactly the bytes its spec selects, for any numbers', () => {
    fc.assert(
      fc.property(fc.array(specArbitrary, { minLength: 1, maxLength: 6 }), fc.nat(300), (specs, size) => {
        const ranges = satisfiableRanges(specs, size);
        const expected = specs
          .map((spec) => selectedPositions(spec, size))
          .filter((bytes) => bytes.length > 0)
          .map((bytes) => ({ start: bytes[0], end: bytes[bytes.length - 1] }));
        expect(ranges).toEqual(expected);
      }),
    );
  });

  it('a last-pos or suffix beyond the end is clamped for any size up to 2^53', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.bigInt({ min: 0n, max: 2n ** 200n }), (size, extra) => {
        const beyond = BigInt(size) + extra;
        expect(planRanges(`bytes=0-${beyond}`, size)).toEqual(partial([0, size - 1]));
        expect(planRanges(`bytes=-${beyond}`, size)).toEqual(partial([0, size - 1]));
        expect(planRanges(`bytes=${beyond}-`, size)).toEqual(UNSATISFIABLE);
      }),
    );
  });

  it('countOverlaps matches a brute-force count', () => {
    const range = fc.tuple(fc.nat(50), fc.nat(50)).map(([a, b]): ByteRange => ({ start: Math.min(a, b), end: Math.max(a, b) }));
    fc.assert(
      fc.property(fc.array(range, { maxLength: 12 }), (ranges) => {
        // Sorted by start, a range overlaps an earlier one when any earlier range reaches it.
        const sorted = [...ranges].sort((a, b) => a.start - b.start || a.end - b.end);
        const expected = sorted.filter((r, i) => sorted.slice(0, i).some((earlier) => earlier.end >= r.start)).length;
        expect(countOverlaps(ranges)).toBe(expected);
      }),
    );
  });
});
