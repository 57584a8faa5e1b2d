import type { AppConfig, PluginSandboxMode } from '@marquee/core';
import type { BwrapProbe } from './bwrap-probe.js';
import { PluginRunError } from './plugin-process.js';
import { PluginSandbox } from './plugin-sandbox.service.js';

class SandboxProbing extends PluginSandbox {
  probes = 0;
  constructor(
    mode: PluginSandboxMode,
    private readonly answer: BwrapProbe,
  ) {
    super({ pluginSandbox: mode, dataDir: '/srv/marquee' } as AppConfig);
  }
  protected override probe(): Promise<BwrapProbe> {
    this.probes++;
    return Promise.resolve(this.answer);
  }
}

const missing: BwrapProbe = { usable: false, reason: 'bwrap (bubblewrap) was not found on PATH' };
const working: BwrapProbe = { usable: true, path: '/usr/bin/bwrap', tmpfsSize: true };

describe('PluginSandbox', () => {
  it.each(['auto', 'bwrap'] as const)('%s: runs in bubblewrap when it works, the data dir hidden', async (mode) => {
    expect(await new SandboxProbing(mode, working).forRun('org.example.one')).toEqual({
      bwrapPath: '/usr/bin/bwrap',
      tmpfsSize: true,
      hidden: ['/srv/marquee'],
    });
  });

  it.each(['auto', 'bwrap'] as const)('%s: a run fails at once, saying how to fix it, when bubblewrap does not work', async (mode) => {
    const run = new SandboxProbing(mode, missing).forRun('org.example.one');
    await expect(run).rejects.toBeInstanceOf(PluginRunError);
    await expect(run).rejects.toMatchObject({
      failure: 'sandbox',
      message:
        'Plugin org.example.one was not started: the plugin sandbox is not usable: bwrap (bubblewrap) was not found on PATH; ' +
        'install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) and allow unprivileged user namespaces ' +
        "(Docker's default seccomp profile blocks them), or set MARQUEE_PLUGIN_SANDBOX=none to run plugins without isolation, with the server's rights",
    });
  });

  it('none: no sandbox, nothing probed', async () => {
    const sandbox = new SandboxProbing('none', missing);
    expect(await sandbox.forRun('org.example.one')).toBeNull();
    expect(sandbox.probes).toBe(0);
  });
});
