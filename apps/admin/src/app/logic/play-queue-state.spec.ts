import fc from 'fast-check';
import {
  type QueueState,
  currentEntry,
  emptyQueue,
  enqueue,
  hasNext,
  jumpTo,
  next,
  previous,
  removeAt,
  startQueue,
} from './play-queue-state.js';

describe('music queue', () => {
  it('starts, goes next, and stops at the end', () => {
    let q = startQueue(['a', 'b', 'c'], 1);
    expect(currentEntry(q)).toBe('b');
    q = next(q);
    expect(currentEntry(q)).toBe('c');
    expect(hasNext(q)).toBe(false);
    expect(next(q)).toBe(q);
    expect(currentEntry(emptyQueue())).toBeNull();
    expect(startQueue([], 0).current).toBe(-1);
  });

  it('previous restarts a track played for a while, else goes back', () => {
    const q = startQueue(['a', 'b'], 1);
    expect(previous(q, 10_000)).toEqual({ state: q, restart: true });
    expect(currentEntry(previous(q, 1000).state)).toBe('a');
    expect(previous(startQueue(['a']), 0).restart).toBe(true);
  });

  it('adds next or last; an empty queue starts with what is added', () => {
    const q = startQueue(['a', 'b', 'c'], 0);
    expect(enqueue(q, ['x'], 'next').entries).toEqual(['a', 'x', 'b', 'c']);
    expect(enqueue(q, ['x'], 'last').entries).toEqual(['a', 'b', 'c', 'x']);
    expect(currentEntry(enqueue(emptyQueue<string>(), ['x', 'y'], 'last'))).toBe('x');
  });

  it('removes entries and keeps the right one current', () => {
    const q = startQueue(['a', 'b', 'c'], 1);
    expect(currentEntry(removeAt(q, 0))).toBe('b');
    expect(currentEntry(removeAt(q, 1))).toBe('c');
    expect(currentEntry(removeAt(q, 2))).toBe('b');
    expect(currentEntry(removeAt(startQueue(['a', 'b'], 1), 1))).toBe('a');
    expect(removeAt(startQueue(['a']), 0).current).toBe(-1);
    expect(jumpTo(q, 9)).toBe(q);
    expect(currentEntry(jumpTo(q, 2))).toBe('c');
  });
});

type Action =
  | { kind: 'next' }
  | { kind: 'previous'; positionMs: number }
  | { kind: 'jump'; index: number }
  | { kind: 'remove'; index: number }
  | { kind: 'add'; where: 'next' | 'last'; count: number };

describe('music queue under any sequence of actions', () => {
  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.constant<Action>({ kind: 'next' }),
    fc.record({ kind: fc.constant('previous' as const), positionMs: fc.integer({ min: 0, max: 10_000 }) }),
    fc.record({ kind: fc.constant('jump' as const), index: fc.integer({ min: -2, max: 8 }) }),
    fc.record({ kind: fc.constant('remove' as const), index: fc.integer({ min: -2, max: 8 }) }),
    fc.record({
      kind: fc.constant('add' as const),
      where: fc.constantFrom('next' as const, 'last' as const),
      count: fc.integer({ min: 0, max: 3 }),
    }),
  );
  let made = 0;
  function apply(q: QueueState<string>, a: Action): QueueState<string> {
    switch (a.kind) {
      case 'next':
        return next(q);
      case 'previous':
        return previous(q, a.positionMs).state;
      case 'jump':
        return jumpTo(q, a.index);
      case 'remove':
        return removeAt(q, a.index);
      case 'add':
        return enqueue(
          q,
          Array.from({ length: a.count }, () => `t${made++}`),
          a.where,
        );
    }
  }

  it('always points at an entry (or is empty), and next then an early previous comes back to the same track', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.array(action, { maxLength: 30 }), (size, actions) => {
        let q = startQueue(
          Array.from({ length: size }, (_, i) => `s${i}`),
          0,
        );
        for (const a of actions) {
          q = apply(q, a);
          if (q.entries.length === 0) expect(q.current).toBe(-1);
          else {
            expect(q.current).toBeGreaterThanOrEqual(0);
            expect(q.current).toBeLessThan(q.entries.length);
          }
          if (hasNext(q)) {
            const playing = currentEntry(q);
            expect(currentEntry(next(q))).not.toBe(playing);
            expect(currentEntry(previous(next(q), 0).state)).toBe(playing);
          }
        }
      }),
    );
  });
});
