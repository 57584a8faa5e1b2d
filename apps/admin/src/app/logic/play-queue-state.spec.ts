import { currentEntry, emptyQueue, enqueue, hasNext, jumpTo, next, previous, removeAt, startQueue } from './play-queue-state.js';

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
