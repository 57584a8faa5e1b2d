import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeBwrap } from './bwrap-probe.js';

const fakeBwrap = (script: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'marquee-fake-bwrap-')), 'bwrap');
  writeFileSync(path, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return path;
};

describe('probeBwrap', () => {
  it('says bubblewrap is missing', async () => {
    expect(await probeBwrap(null)).toEqual({ usable: false, reason: 'bwrap (bubblewrap) was not found on PATH' });
  });

  it("says why a bwrap that cannot create namespaces does not work, in bwrap's words", async () => {
    const path = fakeBwrap(`[ "$1" = --help ] && exit 0
echo 'bwrap: No permissions to create a new namespace, likely because the kernel does not allow non-privileged user namespaces.' >&2
exit 1`);
    expect(await probeBwrap(path)).toEqual({
      usable: false,
      reason: `${path} does not work here: bwrap: No permissions to create a new namespace, likely because the kernel does not allow non-privileged user namespaces.`,
    });
  });

  it('runs `true` with the plugin arguments, and sees whether /tmp can be capped', async () => {
    const path = fakeBwrap(`if [ "$1" = --help ]; then echo '    --size BYTES   Set size of next argument'; exit 0; fi
for arg; do last=$arg; done
[ "$last" = true ] && printf '%s\\n' "$@" | grep -qx -- --unshare-all`);
    expect(await probeBwrap(path)).toEqual({ usable: true, path, tmpfsSize: true });
  });
});
