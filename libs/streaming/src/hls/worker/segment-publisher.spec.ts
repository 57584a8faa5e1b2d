import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HlsPaths } from '../storage/hls-paths.js';
import { SegmentPublisher } from './segment-publisher.js';

describe('SegmentPublisher', () => {
  const paths = new HlsPaths(mkdtempSync(join(tmpdir(), 'marquee-publisher-')));
  const key = `${randomUUID()}/240p-a1-0123456789ab`;

  function setUp(range = { first: 3, last: 5 }) {
    const workDir = join(paths.sessionsRoot, randomUUID());
    mkdirSync(workDir, { recursive: true });
    return { workDir, publisher: new SegmentPublisher(paths, key, workDir, range) };
  }

  it('publishes nothing before ffmpeg lists a segment, whatever is in the work folder', async () => {
    const { workDir, publisher } = setUp();
    writeFileSync(join(workDir, '3.ts'), 'half a segment');
    expect(await publisher.publish()).toEqual([]);
    writeFileSync(join(workDir, 'segments.csv'), '3.ts,0.000000,4.0');
    expect(await publisher.publish()).toEqual([]);
    expect(existsSync(paths.segmentFile(key, 3))).toBe(false);
    expect(publisher.next).toBe(3);
  });

  it('moves each listed segment into the cache once, and only those of its range', async () => {
    const { workDir, publisher } = setUp();
    writeFileSync(join(workDir, '3.ts'), 'segment three');
    writeFileSync(join(workDir, '4.ts'), 'segment four');
    writeFileSync(join(workDir, 'segments.csv'), '3.ts,0.000000,14.000000\n');
    expect(await publisher.publish()).toEqual([3]);
    expect(readFileSync(paths.segmentFile(key, 3), 'utf8')).toBe('segment three');
    expect(existsSync(join(workDir, '3.ts'))).toBe(false);
    writeFileSync(join(workDir, 'segments.csv'), '3.ts,0.000000,14.000000\n4.ts,14.000000,18.000000\n9.ts,1,2\n');
    expect(await publisher.publish()).toEqual([4]);
    expect(await publisher.publish()).toEqual([]);
    expect(publisher.next).toBe(5);
    expect(publisher.count).toBe(2);
    expect(existsSync(paths.segmentFile(key, 9))).toBe(false);
  });
});
