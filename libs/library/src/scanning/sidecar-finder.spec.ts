import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SidecarFinder } from './sidecar-finder.js';

describe('SidecarFinder', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'marquee-sidecars-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the first candidate present, whatever its case', async () => {
    const finder = new SidecarFinder();
    finder.prime(dir, ['Film.mkv', 'MOVIE.NFO', 'film.nfo']);
    expect(await finder.find(dir, ['Film (2001).nfo', 'film.nfo', 'movie.nfo'])).toBe(join(dir, 'film.nfo'));
    expect(await finder.find(dir, ['movie.nfo'])).toBe(join(dir, 'MOVIE.NFO'));
    expect(await finder.find(dir, ['tvshow.nfo'])).toBeUndefined();
  });

  it('finds images by stem, in the order of the stems, preferring jpg, then jpeg, png and webp', async () => {
    const finder = new SidecarFinder();
    finder.prime(dir, ['Folder.WEBP', 'folder.png', 'poster.webp', 'fanart.jpeg', 'fanart.JPG', 'poster.txt', 'cover.gif']);
    expect(await finder.findImage(dir, ['poster', 'folder'])).toBe(join(dir, 'poster.webp'));
    expect(await finder.findImage(dir, ['folder', 'poster'])).toBe(join(dir, 'folder.png'));
    expect(await finder.findImage(dir, ['FANART'])).toBe(join(dir, 'fanart.JPG'));
    expect(await finder.findImage(dir, ['cover', 'banner'])).toBeUndefined();
  });

  it('lists a directory the walk did not prime, once', async () => {
    const finder = new SidecarFinder();
    const series = join(dir, 'Show');
    mkdirSync(series);
    writeFileSync(join(series, 'tvshow.nfo'), '<tvshow/>');
    writeFileSync(join(series, 'season01-poster.png'), '');
    expect(await finder.find(series, ['tvshow.nfo'])).toBe(join(series, 'tvshow.nfo'));
    rmSync(join(series, 'season01-poster.png'));
    // Still listed as it was: the scan reads each directory once.
    expect(await finder.findImage(series, ['season01-poster'])).toBe(join(series, 'season01-poster.png'));
    expect(await finder.find(join(dir, 'missing'), ['tvshow.nfo'])).toBeUndefined();
  });

  it('keeps only recent listings: an old one is read again from the disk', async () => {
    const finder = new SidecarFinder();
    finder.prime(dir, ['primed.nfo']);
    expect(await finder.find(dir, ['primed.nfo'])).toBe(join(dir, 'primed.nfo'));
    for (let i = 0; i < 10_000; i++) finder.prime(join(dir, `other-${i}`), []);
    // The primed listing was let go; the real directory has no such file.
    expect(await finder.find(dir, ['primed.nfo'])).toBeUndefined();
  });
});
