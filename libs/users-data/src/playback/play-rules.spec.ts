import { applyProgress, isResumable, judgePlay } from './play-rules.js';

const MINUTE = 60_000;

describe('judgePlay: when a play counts', () => {
  it('a track counts after half its length', () => {
    expect(judgePlay('track', 3 * MINUTE, 89_999).counted).toBe(false);
    expect(judgePlay('track', 3 * MINUTE, 90_000).counted).toBe(true);
  });

  it('a long track counts after 4 minutes, well before its half', () => {
    expect(judgePlay('track', 20 * MINUTE, 4 * MINUTE - 1).counted).toBe(false);
    expect(judgePlay('track', 20 * MINUTE, 4 * MINUTE).counted).toBe(true);
  });

  it('a track under 30 seconds never counts; one of unknown length needs 4 minutes', () => {
    const short = judgePlay('track', 29_000, 29_000);
    expect(short.counted).toBe(false);
    expect(short.reason).toMatch(/30 seconds/);
    expect(judgePlay('track', 30_000, 15_000).counted).toBe(true);
    expect(judgePlay('track', null, 3 * MINUTE).counted).toBe(false);
    expect(judgePlay('track', null, 4 * MINUTE).counted).toBe(true);
  });

  it('a video counts at 90 % of its length', () => {
    const verdict = judgePlay('movie', 100 * MINUTE, 89 * MINUTE);
    expect(verdict).toEqual({ counted: false, reason: expect.stringMatching(/90 %.*5400 s/) });
    expect(judgePlay('movie', 100 * MINUTE, 90 * MINUTE).counted).toBe(true);
    expect(judgePlay('episode', 40 * MINUTE, 39 * MINUTE).counted).toBe(true);
    expect(judgePlay('episode', null, 1).counted).toBe(true);
    expect(judgePlay('episode', null, 0).counted).toBe(false);
  });
});

describe('applyProgress and isResumable: resume points', () => {
  it('keeps a position short of 90 % as the resume point', () => {
    expect(applyProgress(100 * MINUTE, 30 * MINUTE)).toEqual({ positionMs: 30 * MINUTE, completes: false });
    expect(isResumable(100 * MINUTE, 30 * MINUTE)).toBe(true);
  });

  it('a position at or past 90 % (or past the end) finishes the item and drops the resume point', () => {
    expect(applyProgress(100 * MINUTE, 90 * MINUTE)).toEqual({ positionMs: 0, completes: true });
    expect(applyProgress(100 * MINUTE, 200 * MINUTE)).toEqual({ positionMs: 0, completes: true });
    expect(isResumable(100 * MINUTE, 90 * MINUTE)).toBe(false);
  });

  it('without a known length any position is a resume point; 0 is none', () => {
    expect(applyProgress(null, 5 * MINUTE)).toEqual({ positionMs: 5 * MINUTE, completes: false });
    expect(isResumable(null, 5 * MINUTE)).toBe(true);
    expect(isResumable(100 * MINUTE, 0)).toBe(false);
  });
});
