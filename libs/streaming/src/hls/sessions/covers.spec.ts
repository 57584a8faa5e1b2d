import { AHEAD_SEGMENTS } from '../hls.constants.js';
import { covers } from './transcode-store.js';

describe('covers: will a running transcode make a segment soon?', () => {
  const transcode = { startSegment: 10, nextSegment: 14, lastSegment: 100 };

  it('yes for what it made or is about to make', () => {
    expect(covers(transcode, 10)).toBe(true);
    expect(covers(transcode, 14)).toBe(true);
    expect(covers(transcode, 14 + AHEAD_SEGMENTS)).toBe(true);
  });

  it('no behind its start, far ahead of it (a seek) or past its run', () => {
    expect(covers(transcode, 9)).toBe(false);
    expect(covers(transcode, 15 + AHEAD_SEGMENTS)).toBe(false);
    expect(covers({ startSegment: 10, nextSegment: 99, lastSegment: 100 }, 101)).toBe(false);
  });
});
