import { unsafeEntryReason } from './install-limits.js';

describe('unsafeEntryReason', () => {
  it('accepts relative names inside the package', () => {
    for (const name of ['marquee-plugin.json', 'lib/index.js', 'a/b/c.txt', 'dir/', '.hidden', '..dots-in-name', 'a/..b/c']) {
      expect([name, unsafeEntryReason(name)]).toEqual([name, null]);
    }
  });

  it.each([
    ['../escape', 'has a ".." segment'],
    ['a/../../escape', 'has a ".." segment'],
    ['a/..', 'has a ".." segment'],
    ['/etc/passwd', 'is an absolute path'],
    ['C:/Windows/x', 'is an absolute path'],
    ['c:relative', 'is an absolute path'],
    ['a\\..\\b', 'has a backslash in its name'],
    ['a\0b', 'has a NUL byte in its name'],
    ['', 'has an empty name'],
  ])('refuses %j', (name, reason) => {
    expect(unsafeEntryReason(name)).toBe(reason);
  });
});
