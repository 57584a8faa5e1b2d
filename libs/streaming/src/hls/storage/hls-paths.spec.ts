import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { renditionLadder } from '../planning/ladder.js';
import { HlsPaths, isInside, variantKey } from './hls-paths.js';

const paths = new HlsPaths('/srv/marquee/data');
const [rendition] = renditionLadder({ width: 640, height: 360, frameRate: 25 }, true);
const identity = {
  fileId: randomUUID(),
  fileSize: 1234,
  fileMtime: new Date('2024-01-01'),
  videoStreamIndex: 0,
  audioStreamIndex: 1,
  rendition,
};

describe('HLS paths', () => {
  it('cache folders are named by file, rendition, audio and a hash of the settings', () => {
    const key = variantKey(identity);
    expect(key).toMatch(new RegExp(`^${identity.fileId}/360p-a1-[0-9a-f]{12}$`));
    expect(variantKey({ ...identity, fileMtime: new Date('2024-01-02') })).not.toBe(key);
    expect(variantKey({ ...identity, audioStreamIndex: null })).toMatch(/-anone-/);
    expect(paths.segmentFile(key, 7)).toBe(`/srv/marquee/data/transcodes/cache/${key}/7.ts`);
    expect(paths.sessionDir(identity.fileId)).toBe(`/srv/marquee/data/transcodes/sessions/${identity.fileId}`);
  });

  it('refuses anything that is not a key, a segment number or a transcode id', () => {
    const key = variantKey(identity);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('../x', '..%2F', `${key}/../..`, `${key}/..%5C..`, `/${key}`)), (value) => {
        if (value !== key) expect(() => paths.variantDir(value)).toThrow();
        expect(() => paths.sessionDir(value)).toThrow();
      }),
    );
    for (const index of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => paths.segmentFile(key, index)).toThrow();
    expect(() => variantKey({ ...identity, fileId: '../../etc' })).toThrow();
  });

  it('every path it builds stays inside its root', () => {
    fc.assert(
      fc.property(fc.uuid({ version: 4 }), fc.nat(), (id, index) => {
        const key = variantKey({ ...identity, fileId: id });
        expect(isInside(paths.cacheRoot, paths.segmentFile(key, index))).toBe(true);
        expect(isInside(paths.sessionsRoot, paths.sessionDir(id))).toBe(true);
      }),
    );
  });
});
