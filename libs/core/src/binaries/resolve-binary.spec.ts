import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryVersion } from './run-version.js';
import { resolveBinary } from './resolve-binary.js';

function fakeBinary(dir: string, name: string, firstLine: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\necho "${firstLine}"\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('resolveBinary', () => {
  const pathDir = mkdtempSync(join(tmpdir(), 'marquee-bin-'));
  const onPath = fakeBinary(pathDir, 'ffmpeg', 'ffmpeg version on-path');
  const configured = fakeBinary(mkdtempSync(join(tmpdir(), 'marquee-bin-')), 'my-ffmpeg', 'ffmpeg version configured');

  it('prefers the configured path', () => {
    expect(resolveBinary('ffmpeg', configured, pathDir)).toEqual({ name: 'ffmpeg', path: configured, source: 'env' });
  });

  it('then the one on PATH', () => {
    expect(resolveBinary('ffmpeg', undefined, `/nonexistent:${pathDir}`)).toEqual({ name: 'ffmpeg', path: onPath, source: 'path' });
  });

  it.each(['ffmpeg', 'ffprobe'] as const)('then the static %s shipped in npm, which runs', async (name) => {
    const resolved = resolveBinary(name, undefined, '/nonexistent');
    expect(resolved.source).toBe('bundled');
    expect(resolved.path).toContain('node_modules');
    expect(await binaryVersion(resolved.path)).toMatch(new RegExp(`^${name} version`));
  });

  it('ignores non-executable files on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'marquee-bin-'));
    writeFileSync(join(dir, 'ffprobe'), 'not executable');
    expect(resolveBinary('ffprobe', undefined, dir).source).toBe('bundled');
  });

  it('binaryVersion reports the first line and times out on a hung binary', async () => {
    expect(await binaryVersion(onPath)).toBe('ffmpeg version on-path');
    const hung = join(pathDir, 'hung');
    writeFileSync(hung, '#!/bin/sh\nsleep 5\n');
    chmodSync(hung, 0o755);
    await expect(binaryVersion(hung, 200)).rejects.toThrow(/-version failed/);
  });
});
