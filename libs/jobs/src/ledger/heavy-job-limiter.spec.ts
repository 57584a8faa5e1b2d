import type { AppConfig } from '@marquee/core';
import { HeavyJobLimiter } from './heavy-job-limiter.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HeavyJobLimiter', () => {
  it('never runs more heavy jobs at once than the cap, and runs them all', async () => {
    const limiter = new HeavyJobLimiter({ maxHeavyJobs: 2 } as AppConfig);
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        limiter.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await sleep(20);
          running--;
          done.push(n);
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(limiter.active).toBe(0);
  });

  it('a waiting job that is cancelled leaves the queue without taking a slot', async () => {
    const limiter = new HeavyJobLimiter({ maxHeavyJobs: 1 } as AppConfig);
    const first = limiter.run(() => sleep(50));
    const abort = new AbortController();
    const second = limiter.run(async () => 'ran', abort.signal);
    abort.abort(new Error('cancelled'));
    await expect(second).rejects.toThrow('cancelled');
    await first;
    expect(await limiter.run(async () => 'third')).toBe('third');
    expect(limiter.active).toBe(0);
  });

  it('a failing job frees its slot', async () => {
    const limiter = new HeavyJobLimiter({ maxHeavyJobs: 1 } as AppConfig);
    await expect(limiter.run(async () => Promise.reject(new Error('ffmpeg crashed')))).rejects.toThrow('ffmpeg crashed');
    expect(await limiter.run(async () => 'next')).toBe('next');
  });

  it('interactive work starts at once beside background work, which waits until it is under the cap again', async () => {
    const limiter = new HeavyJobLimiter({ maxHeavyJobs: 1 } as AppConfig);
    const order: string[] = [];
    const job = (name: string, ms: number, interactive = false) =>
      limiter.run(
        async () => {
          order.push(`${name} start`);
          await sleep(ms);
          order.push(`${name} end`);
        },
        undefined,
        { interactive },
      );
    const background = job('background', 60);
    const queued = job('queued', 10);
    await sleep(5);
    const playback = job('playback', 20, true);
    await sleep(5);
    expect(order).toEqual(['background start', 'playback start']);
    expect(limiter.active).toBe(2);
    await Promise.all([background, queued, playback]);
    expect(order).toEqual(['background start', 'playback start', 'playback end', 'background end', 'queued start', 'queued end']);
    expect(limiter.active).toBe(0);
  });
});
