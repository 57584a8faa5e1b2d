import { ApiError } from './api-error.js';
import { ResourceState, attempt } from './resource-state.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ResourceState', () => {
  it('is loading while the fetch runs, then holds its value', async () => {
    const state = new ResourceState<string>();
    const fetch = deferred<string>();
    const done = state.load(() => fetch.promise);
    expect(state.loading()).toBe(true);
    fetch.resolve('films');
    await expect(done).resolves.toBe('films');
    expect(state.value()).toBe('films');
    expect(state.loading()).toBe(false);
    expect(state.error()).toBeNull();
  });

  it('a later load wins over an earlier one that answers last', async () => {
    const state = new ResourceState<string>();
    const first = deferred<string>();
    const second = deferred<string>();
    const a = state.load(() => first.promise);
    const b = state.load(() => second.promise);
    second.resolve('new');
    await b;
    expect(state.value()).toBe('new');
    expect(state.loading()).toBe(false);
    first.resolve('old');
    await a;
    expect(state.value()).toBe('new');
    // Nor does the earlier one's failure show.
    const c = state.load(() => Promise.reject(new ApiError(500, 'stale failure', null)));
    const d = state.load(() => Promise.resolve('newest'));
    await Promise.all([c, d]);
    expect(state.error()).toBeNull();
    expect(state.value()).toBe('newest');
  });

  it('shows a failure as its problem detail, keeps the last value, and clears the error on the next load', async () => {
    const state = new ResourceState<string>('kept');
    await expect(state.load(() => Promise.reject(new ApiError(404, 'No such library', null)))).resolves.toBeNull();
    expect(state.error()).toBe('No such library');
    expect(state.value()).toBe('kept');
    expect(state.loading()).toBe(false);
    const fetch = deferred<string>();
    const again = state.load(() => fetch.promise);
    expect(state.error()).toBeNull();
    fetch.resolve('fresh');
    await again;
    expect(state.value()).toBe('fresh');
  });
});

describe('attempt', () => {
  it('reports success, or the failure’s detail in the error signal', async () => {
    const messages: (string | null)[] = [];
    const error = { set: (value: string | null) => messages.push(value) };
    await expect(attempt(error, () => Promise.resolve())).resolves.toBe(true);
    await expect(attempt(error, () => Promise.reject(new ApiError(403, 'Registration is closed', null)))).resolves.toBe(false);
    expect(messages).toEqual([null, null, 'Registration is closed']);
  });
});
