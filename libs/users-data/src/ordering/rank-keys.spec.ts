import {
  assertRankKey,
  evenRanks,
  FIRST_RANK,
  isRankKey,
  MAX_RANK_LENGTH,
  needsRebalance,
  rankBetween,
  ranksBetween,
} from './rank-keys.js';

/** Byte order, as PostgreSQL's COLLATE "C" compares. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const ascending = (keys: string[]) => keys.every((key, i) => i === 0 || byteOrder(keys[i - 1], key) < 0);

/** A seeded generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('rank keys', () => {
  it('start an empty list with a short key', () => {
    expect(rankBetween(null, null)).toBe(FIRST_RANK);
    expect(FIRST_RANK).toBe('a0');
  });

  it('append and prepend by incrementing the integer part: 10,000 appends stay 4 characters long', () => {
    const appended = ranksBetween(FIRST_RANK, null, 10_000);
    expect(ascending([FIRST_RANK, ...appended])).toBe(true);
    expect(Math.max(...appended.map((key) => key.length))).toBeLessThanOrEqual(4);
    expect(appended.slice(0, 3)).toEqual(['a1', 'a2', 'a3']);

    const prepended = ranksBetween(null, FIRST_RANK, 10_000);
    expect(ascending([...prepended, FIRST_RANK])).toBe(true);
    expect(Math.max(...prepended.map((key) => key.length))).toBeLessThanOrEqual(4);
    expect(prepended.at(-1)).toBe('Zz');
  });

  it('always find a key strictly between two neighbours', () => {
    const cases: [string | null, string | null][] = [
      ['a0', 'a1'],
      ['a0', 'a0V'],
      ['a0V', 'a1'],
      ['a1', 'a2'],
      ['az', 'b00'],
      ['Zz', 'a0'],
      [null, 'a0'],
      ['a0', null],
      ['a0', 'a01'],
      ['a01', 'a02'],
      ['a0z', 'a1'],
      [null, 'A00000000000000000000000001'],
    ];
    for (const [before, after] of cases) {
      const key = rankBetween(before, after);
      expect(isRankKey(key)).toBe(true);
      if (before !== null) expect([before, key, byteOrder(before, key)]).toEqual([before, key, -1]);
      if (after !== null) expect([key, after, byteOrder(key, after)]).toEqual([key, after, -1]);
    }
  });

  it('refuse neighbours out of order and malformed keys', () => {
    expect(() => rankBetween('a1', 'a0')).toThrow(/out of order/);
    expect(() => rankBetween('a1', 'a1')).toThrow(/out of order/);
    expect(() => rankBetween('a10', null)).toThrow(/ends in 0/);
    expect(() => rankBetween('!', null)).toThrow(/head/);
    expect(() => rankBetween('b1', null)).toThrow(/too short/);
    expect(() => assertRankKey('a1-')).toThrow(/digit/);
    expect(isRankKey('a0V')).toBe(true);
    expect(isRankKey('')).toBe(false);
  });

  it('spread many keys inserted into one gap, so they stay short', () => {
    const keys = ranksBetween('a1', 'a2', 10_000);
    expect(keys).toHaveLength(10_000);
    expect(new Set(keys).size).toBe(10_000);
    expect(ascending(['a1', ...keys, 'a2'])).toBe(true);
    // log62(10,000) ≈ 2.2 more characters than the neighbours.
    expect(Math.max(...keys.map((key) => key.length))).toBeLessThanOrEqual(6);
  });

  it('grow by about one character per six insertions into the same gap, which is what a rebalance is for', () => {
    let low = 'a0';
    const high = 'a1';
    let key = '';
    let insertions = 0;
    while (key.length <= MAX_RANK_LENGTH) {
      key = rankBetween(low, high);
      low = key;
      insertions++;
    }
    // Hundreds of moves into the very same gap before one renumbering.
    expect(insertions).toBeGreaterThan(200);
    expect(needsRebalance([key])).toBe(true);
    expect(needsRebalance(['a0', 'a1'])).toBe(false);
  });

  it('evenRanks renumbers a whole list with short ascending keys', () => {
    const keys = evenRanks(10_000);
    expect(keys[0]).toBe('a0');
    expect(ascending(keys)).toBe(true);
    expect(Math.max(...keys.map((key) => key.length))).toBeLessThanOrEqual(4);
    expect(evenRanks(0)).toEqual([]);
  });

  it('keep any sequence of random moves in order (a model of a list)', () => {
    const next = random(42);
    let list = evenRanks(50).map((key, i) => ({ key, value: i }));
    for (let step = 0; step < 5_000; step++) {
      const from = Math.floor(next() * list.length);
      const [moved] = list.splice(from, 1);
      const to = Math.floor(next() * (list.length + 1));
      const before = to > 0 ? list[to - 1].key : null;
      const after = to < list.length ? list[to].key : null;
      list.splice(to, 0, { key: rankBetween(before, after), value: moved.value });
      if (needsRebalance(list.map((entry) => entry.key))) {
        const fresh = evenRanks(list.length);
        list = list.map((entry, i) => ({ ...entry, key: fresh[i] }));
      }
    }
    const keys = list.map((entry) => entry.key);
    expect(ascending(keys)).toBe(true);
    expect(new Set(list.map((entry) => entry.value)).size).toBe(50);
    expect(Math.max(...keys.map((key) => key.length))).toBeLessThanOrEqual(MAX_RANK_LENGTH);
  });
});
