import { RecentLookups } from './recent-lookups.js';

describe('RecentLookups', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => (clock = 1_000));

  it('answers from memory within the TTL, and looks up again after it', async () => {
    const lookups = new RecentLookups<string>(1000, 10, now);
    let calls = 0;
    const load = async () => `answer ${++calls}`;
    expect(await lookups.get('a', load)).toBe('answer 1');
    clock += 999;
    expect(await lookups.get('a', load)).toBe('answer 1');
    clock += 1;
    expect(await lookups.get('a', load)).toBe('answer 2');
    expect(await lookups.get('b', load)).toBe('answer 3');
  });

  it('shares one lookup among concurrent callers', async () => {
    const lookups = new RecentLookups<number>(1000, 10, now);
    let calls = 0;
    let release!: (value: number) => void;
    const load = () => {
      calls++;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const all = Promise.all([lookups.get('k', load), lookups.get('k', load), lookups.get('k', load)]);
    release(7);
    expect(await all).toEqual([7, 7, 7]);
    expect(calls).toBe(1);
  });

  it('does not remember failures', async () => {
    const lookups = new RecentLookups<string>(1000, 10, now);
    let calls = 0;
    const load = async () => {
      calls++;
      if (calls === 1) throw new Error('not found');
      return 'found';
    };
    await expect(lookups.get('k', load)).rejects.toThrow('not found');
    await Promise.resolve();
    expect(await lookups.get('k', load)).toBe('found');
    expect(calls).toBe(2);
  });

  it('keeps at most maxEntries, forgetting the oldest', async () => {
    const lookups = new RecentLookups<string>(60_000, 2, now);
    let calls = 0;
    const load = async () => `v${++calls}`;
    await lookups.get('a', load);
    await lookups.get('b', load);
    await lookups.get('c', load);
    expect(await lookups.get('b', load)).toBe('v2');
    expect(await lookups.get('c', load)).toBe('v3');
    expect(await lookups.get('a', load)).toBe('v4');
  });

  it('forgets a key on demand, even while its lookup is still running', async () => {
    const lookups = new RecentLookups<string>(60_000, 10, now);
    let calls = 0;
    let release!: (value: string) => void;
    const slow = () => {
      calls++;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const before = lookups.get('k', slow);
    lookups.forget('k');
    const after = lookups.get('k', async () => `fresh ${++calls}`);
    release('stale');
    expect(await before).toBe('stale');
    expect(await after).toBe('fresh 2');
    expect(await lookups.get('k', slow)).toBe('fresh 2');
  });
});
