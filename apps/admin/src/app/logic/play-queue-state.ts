/** The music player's queue as a value: what plays now, and where next/previous go. Pure functions. */
export interface QueueState<T> {
  entries: readonly T[];
  /** Index of the entry playing; -1 when empty. */
  current: number;
}

export const emptyQueue = <T>(): QueueState<T> => ({ entries: [], current: -1 });

export function startQueue<T>(entries: readonly T[], start = 0): QueueState<T> {
  if (entries.length === 0) return emptyQueue();
  return { entries: [...entries], current: Math.min(Math.max(0, start), entries.length - 1) };
}

export function currentEntry<T>(state: QueueState<T>): T | null {
  return state.current >= 0 ? (state.entries[state.current] ?? null) : null;
}

export const hasNext = <T>(state: QueueState<T>) => state.current >= 0 && state.current < state.entries.length - 1;

export function next<T>(state: QueueState<T>): QueueState<T> {
  return hasNext(state) ? { ...state, current: state.current + 1 } : state;
}

/**
 * Previous restarts the track when more than `restartAfterMs` of it has played (as every player does),
 * otherwise goes to the entry before; at the first entry it restarts.
 */
export function previous<T>(state: QueueState<T>, positionMs: number, restartAfterMs = 3000): { state: QueueState<T>; restart: boolean } {
  if (state.current <= 0 || positionMs > restartAfterMs) return { state, restart: state.current >= 0 };
  return { state: { ...state, current: state.current - 1 }, restart: false };
}

export function jumpTo<T>(state: QueueState<T>, index: number): QueueState<T> {
  return index >= 0 && index < state.entries.length ? { ...state, current: index } : state;
}

/** Adds entries after the current one (`next`) or at the end (`last`); an empty queue starts playing them. */
export function enqueue<T>(state: QueueState<T>, added: readonly T[], where: 'next' | 'last'): QueueState<T> {
  if (added.length === 0) return state;
  if (state.current < 0) return startQueue(added);
  const at = where === 'next' ? state.current + 1 : state.entries.length;
  return { entries: [...state.entries.slice(0, at), ...added, ...state.entries.slice(at)], current: state.current };
}

/** Removes one entry; removing the playing entry makes the next one (or the new last) current. */
export function removeAt<T>(state: QueueState<T>, index: number): QueueState<T> {
  if (index < 0 || index >= state.entries.length) return state;
  const entries = state.entries.filter((_, i) => i !== index);
  if (entries.length === 0) return emptyQueue();
  const current = index < state.current ? state.current - 1 : Math.min(state.current, entries.length - 1);
  return { entries, current };
}
