import { bwrapArgs, type SandboxLayout } from './bwrap-args.js';

const layout: SandboxLayout = {
  system: [{ path: '/usr' }, { path: '/bin', symlinkTo: 'usr/bin' }, { path: '/lib64' }],
  readOnly: ['/etc/ld.so.cache', '/opt/node/bin/node'],
};
const env = { PATH: '/usr/bin:/bin', HOME: '/data/plugins/org.example.one' };
const dir = '/data/plugins/org.example.one';

/** Each option with the values that follow it, e.g. ['--ro-bind', '/usr', '/usr']. */
function options(args: string[]): string[][] {
  const arity: Record<string, number> = {
    '--ro-bind': 2,
    '--symlink': 2,
    '--setenv': 2,
    '--proc': 1,
    '--dev': 1,
    '--tmpfs': 1,
    '--chdir': 1,
    '--size': 1,
    '--cap-drop': 1,
  };
  const grouped: string[][] = [];
  for (let i = 0; i < args.length && args[i] !== '--';) {
    const count = arity[args[i]] ?? 0;
    grouped.push(args.slice(i, i + 1 + count));
    i += 1 + count;
  }
  return grouped;
}

describe('bwrapArgs', () => {
  const args = bwrapArgs(layout, { dir, env, tmpSizeBytes: 64 * 1024 * 1024 }, ['/usr/bin/node', 'index.mjs']);
  const grouped = options(args);

  it('unshares every namespace, drops capabilities and dies with its parent', () => {
    expect(grouped.slice(0, 5)).toEqual([
      ['--unshare-all'],
      ['--die-with-parent'],
      ['--new-session'],
      ['--cap-drop', 'ALL'],
      ['--ro-bind', '/usr', '/usr'],
    ]);
  });

  it('binds the system read-only as on the host, symlinks as symlinks', () => {
    expect(grouped).toEqual(
      expect.arrayContaining([
        ['--ro-bind', '/usr', '/usr'],
        ['--symlink', 'usr/bin', '/bin'],
        ['--ro-bind', '/lib64', '/lib64'],
        ['--ro-bind', '/etc/ld.so.cache', '/etc/ld.so.cache'],
        ['--ro-bind', '/opt/node/bin/node', '/opt/node/bin/node'],
      ]),
    );
    expect(args).not.toContain('--bind');
    expect(args).not.toContain('--dev-bind');
  });

  it('gives a fresh /proc, /dev and a capped /tmp, then the plugin folder on top, read-only, as the working directory', () => {
    const at = (option: string[]) => grouped.findIndex((group) => JSON.stringify(group) === JSON.stringify(option));
    expect(at(['--proc', '/proc'])).toBeGreaterThan(0);
    expect(at(['--dev', '/dev'])).toBeGreaterThan(0);
    expect(at(['--size', String(64 * 1024 * 1024)])).toBe(at(['--tmpfs', '/tmp']) - 1);
    // Mounted after /tmp, so a plugin folder under /tmp is not hidden by the tmpfs.
    expect(at(['--ro-bind', dir, dir])).toBeGreaterThan(at(['--tmpfs', '/tmp']));
    expect(at(['--chdir', dir])).toBeGreaterThan(0);
  });

  it('clears the environment and sets only the given one', () => {
    const clear = grouped.findIndex((group) => group[0] === '--clearenv');
    expect(grouped.slice(clear)).toEqual([['--clearenv'], ['--setenv', 'PATH', '/usr/bin:/bin'], ['--setenv', 'HOME', dir]]);
  });

  it('ends with the command after --', () => {
    expect(args.slice(args.indexOf('--'))).toEqual(['--', '/usr/bin/node', 'index.mjs']);
  });

  it('covers a data dir that a system bind would show, before binding the plugin folder back', () => {
    const under = '/usr/local/marquee/data';
    const plugin = `${under}/plugins/org.example.one`;
    const hiding = options(bwrapArgs(layout, { dir: plugin, env, hidden: [under] }, ['true']));
    const at = (group: string[]) => hiding.findIndex((candidate) => candidate.join('\0') === group.join('\0'));
    expect(at(['--tmpfs', under])).toBeGreaterThan(at(['--ro-bind', '/usr', '/usr']));
    expect(at(['--ro-bind', plugin, plugin])).toBeGreaterThan(at(['--tmpfs', under]));
    // A data dir elsewhere is not in the sandbox at all: nothing to cover.
    expect(options(bwrapArgs(layout, { dir, env, hidden: ['/data'] }, ['true']))).not.toContainEqual(['--tmpfs', '/data']);
  });

  it('leaves out --size for a bwrap that lacks it', () => {
    expect(bwrapArgs(layout, { dir, env }, ['true'])).not.toContain('--size');
  });
});
