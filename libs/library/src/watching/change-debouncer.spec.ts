import { jest } from '@jest/globals';
import { ChangeDebouncer, collapsePaths } from './change-debouncer.js';

const LIMITS = { maxPaths: 500, siblingLimit: 32 };
const files = (dir: string, count: number, ext = 'mkv') =>
  Array.from({ length: count }, (_, i) => `${dir}/f${String(i).padStart(3, '0')}.${ext}`);

describe('collapsePaths', () => {
  it('keeps distinct files, sorted and without duplicates', () => {
    expect(collapsePaths(['/lib/B/b.mkv', '/lib/A/a.mkv', '/lib/B/b.mkv'], ['/lib'], LIMITS)).toEqual(['/lib/A/a.mkv', '/lib/B/b.mkv']);
  });

  it('drops paths outside every root, including ones that climb out with ..', () => {
    expect(collapsePaths(['/other/x.mkv', '/lib/../etc/passwd', '/library/x.mkv', '/lib/ok.mkv'], ['/lib'], LIMITS)).toEqual([
      '/lib/ok.mkv',
    ]);
  });

  it('normalises paths (.. inside the root, trailing slashes)', () => {
    expect(collapsePaths(['/lib/A/../B/x.mkv', '/lib/C/'], ['/lib/'], LIMITS)).toEqual(['/lib/B/x.mkv', '/lib/C']);
  });

  it('a changed folder covers everything below it, but not a sibling that shares its prefix', () => {
    expect(
      collapsePaths(['/lib/A', '/lib/A/x.mkv', '/lib/A/B/y.mkv', '/lib/A/B', '/lib/Ab/z.mkv', '/lib/A b/w.mkv'], ['/lib'], LIMITS),
    ).toEqual(['/lib/A', '/lib/A b/w.mkv', '/lib/Ab/z.mkv']);
  });

  it('a change of the root itself covers the whole root', () => {
    expect(collapsePaths(['/lib/a.mkv', '/lib', '/lib/X/y.mkv'], ['/lib'], LIMITS)).toEqual(['/lib']);
  });

  it('more changed entries of one folder than the sibling limit become that folder', () => {
    expect(collapsePaths(files('/lib/Burst', 33), ['/lib'], LIMITS)).toEqual(['/lib/Burst']);
    expect(collapsePaths(files('/lib/Burst', 32), ['/lib'], LIMITS)).toEqual(files('/lib/Burst', 32));
  });

  it('collapses level by level, and a collapsed folder may be covered by a changed ancestor', () => {
    const limits = { maxPaths: 500, siblingLimit: 2 };
    const input = [...files('/lib/X/a', 3), ...files('/lib/X/b', 3), ...files('/lib/X/c', 3), '/lib/Y/one.mkv'];
    expect(collapsePaths(input, ['/lib'], limits)).toEqual(['/lib/X', '/lib/Y/one.mkv']);
    expect(collapsePaths(['/lib/A', ...files('/lib/A/B', 40)], ['/lib'], LIMITS)).toEqual(['/lib/A']);
  });

  it('files directly in a root over the sibling limit become the root, never its parent', () => {
    expect(collapsePaths(files('/media/films', 40), ['/media/films'], LIMITS)).toEqual(['/media/films']);
  });

  it('more paths than maxPaths become the library folders', () => {
    const input = ['/m1/a/x.mkv', '/m1/b/x.mkv', '/m1/c/x.mkv', '/m2/d/x.mkv', '/m2/e/x.mkv', '/m2/f/x.mkv'];
    expect(collapsePaths(input, ['/m2', '/m1'], { maxPaths: 5, siblingLimit: 32 })).toEqual(['/m1', '/m2']);
    expect(collapsePaths(input.slice(0, 5), ['/m2', '/m1'], { maxPaths: 5, siblingLimit: 32 })).toEqual(input.slice(0, 5).sort());
  });

  it('keeps paths of several roots apart', () => {
    expect(collapsePaths(['/m2/x.flac', '/m1/y.mkv', '/m1'], ['/m1', '/m2'], LIMITS)).toEqual(['/m1', '/m2/x.flac']);
  });
});

describe('ChangeDebouncer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const setup = (options = {}) => {
    const batches: string[][] = [];
    const errors: unknown[] = [];
    const debouncer = new ChangeDebouncer(
      () => ['/lib'],
      (paths) => {
        batches.push(paths);
      },
      { quietMs: 2_000, maxWaitMs: 10_000, ...options },
      (error) => errors.push(error),
    );
    return { debouncer, batches, errors };
  };

  it('flushes once after the quiet period, with every path of the burst', async () => {
    const { debouncer, batches } = setup();
    debouncer.add('/lib/a.mkv');
    await jest.advanceTimersByTimeAsync(1_000);
    debouncer.add('/lib/b.mkv');
    await jest.advanceTimersByTimeAsync(1_999);
    expect(batches).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([['/lib/a.mkv', '/lib/b.mkv']]);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(batches).toHaveLength(1);
  });

  it('a steady trickle of changes is still flushed after maxWaitMs', async () => {
    const { debouncer, batches } = setup();
    for (let i = 0; i < 12; i++) {
      debouncer.add(`/lib/t${i}.mkv`);
      await jest.advanceTimersByTimeAsync(1_000);
    }
    // Changes at 0,1,…,9 s went out at 10 s; those at 10 s and 11 s wait for their own quiet period.
    expect(batches).toEqual([Array.from({ length: 10 }, (_, i) => `/lib/t${i}.mkv`).sort()]);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(batches).toEqual([expect.any(Array), ['/lib/t10.mkv', '/lib/t11.mkv']]);
  });

  it('a burst of 50 files in one folder is one batch naming that folder', async () => {
    const { debouncer, batches } = setup();
    for (const path of files('/lib/Season 1', 50)) debouncer.add(path);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(batches).toEqual([['/lib/Season 1']]);
  });

  it('past maxPending raw paths the batch becomes the roots', async () => {
    const { debouncer, batches } = setup({ maxPending: 100 });
    for (let i = 0; i < 150; i++) debouncer.add(`/lib/d${i}/x.mkv`);
    expect(debouncer.size).toBe(0);
    expect(debouncer.waiting).toBe(true);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(batches).toEqual([['/lib']]);
  });

  it('flush() hands the batch on at once; an empty batch is not handed on', async () => {
    const { debouncer, batches } = setup();
    await debouncer.flush();
    expect(batches).toEqual([]);
    debouncer.add('/lib/x.mkv');
    debouncer.add('/elsewhere/y.mkv');
    await debouncer.flush();
    expect(batches).toEqual([['/lib/x.mkv']]);
    await jest.advanceTimersByTimeAsync(20_000);
    expect(batches).toHaveLength(1);
  });

  it('only paths outside the roots: nothing is handed on', async () => {
    const { debouncer, batches } = setup();
    debouncer.add('/elsewhere/y.mkv');
    await jest.advanceTimersByTimeAsync(2_000);
    expect(batches).toEqual([]);
  });

  it('an error of the consumer goes to onError and the next batch still flows', async () => {
    const errors: unknown[] = [];
    const batches: string[][] = [];
    let calls = 0;
    const debouncer = new ChangeDebouncer(
      () => ['/lib'],
      async (paths) => {
        if (calls++ === 0) throw new Error('queue down');
        batches.push(paths);
      },
      { quietMs: 100, maxWaitMs: 1_000 },
      (error) => errors.push(error),
    );
    debouncer.add('/lib/a.mkv');
    await jest.advanceTimersByTimeAsync(100);
    debouncer.add('/lib/b.mkv');
    await jest.advanceTimersByTimeAsync(100);
    expect(errors.map((error) => (error as Error).message)).toEqual(['queue down']);
    expect(batches).toEqual([['/lib/b.mkv']]);
  });

  it('dispose() drops the batch and ignores later changes', async () => {
    const { debouncer, batches } = setup();
    debouncer.add('/lib/a.mkv');
    debouncer.dispose();
    debouncer.add('/lib/b.mkv');
    await jest.advanceTimersByTimeAsync(30_000);
    expect(batches).toEqual([]);
  });
});
