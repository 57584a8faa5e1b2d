import { PasswordHasher } from './password-hasher.service.js';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id at OWASP minimum cost, salted', async () => {
    const hash = await hasher.hash('vT7#qLp2');
    expect(hash).toMatch(/^\$argon2id\$v=19\$/);
    expect(hash.split('$')[3].split(',').sort()).toEqual(['m=19456', 'p=1', 't=2']);
    expect(await hasher.hash('vT7#qLp2')).not.toBe(hash);
    expect(await hasher.verify(hash, 'vT7#qLp2')).toBe(true);
    expect(await hasher.verify(hash, 'vT7#qLp3')).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
  });

  it.each([100, 200])('does not truncate a %i-character password', async (length) => {
    const password = Array.from({ length }, (_, i) => String.fromCharCode(33 + ((i * 7) % 94))).join('');
    const hash = await hasher.hash(password);
    expect(await hasher.verify(hash, password)).toBe(true);
    // Differs only at the last character (the 100th), or at the 150th.
    const at = Math.min(length, 150) - 1;
    const other = password.slice(0, at) + (password[at] === 'x' ? 'y' : 'x') + password.slice(at + 1);
    expect(other).toHaveLength(length);
    expect(await hasher.verify(hash, other)).toBe(false);
  });

  it('handles emoji and other Unicode', async () => {
    const password = 'Ünïcödé 🎬🍿 пароль 密码';
    const hash = await hasher.hash(password);
    expect(await hasher.verify(hash, password)).toBe(true);
    expect(await hasher.verify(hash, 'Ünïcödé 🎬🎬 пароль 密码')).toBe(false);
  });

  it('treats the NFC and NFD forms of a password as the same password', async () => {
    const nfc = 'Crème brûlée à minuit'.normalize('NFC');
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    expect(await hasher.verify(await hasher.hash(nfc), nfd)).toBe(true);
    expect(await hasher.verify(await hasher.hash(nfd), nfc)).toBe(true);
  });

  it('returns false, not a throw, for a malformed hash', async () => {
    expect(await hasher.verify('not-a-hash', 'vT7#qLp2')).toBe(false);
    expect(await hasher.verify('', 'vT7#qLp2')).toBe(false);
    expect(await hasher.verify('$argon2id$v=19$m=19456,t=2,p=1$broken', 'vT7#qLp2')).toBe(false);
  });

  it('verifies against a dummy hash and returns false, taking about as long as a real verify', async () => {
    const hash = await hasher.hash('vT7#qLp2');
    await hasher.verifyAgainstDummy('warm-up'); // computes the dummy hash once
    const time = async (fn: () => Promise<unknown>) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 3; i++) await fn();
      return Number(process.hrtime.bigint() - start);
    };
    const real = await time(() => hasher.verify(hash, 'wrong password'));
    const dummy = await time(() => hasher.verifyAgainstDummy('wrong password'));
    expect(await hasher.verifyAgainstDummy('vT7#qLp2')).toBe(false);
    // Generous bounds: the point is that the dummy path runs argon2, not that timings are exact.
    expect(dummy).toBeGreaterThan(real * 0.3);
    expect(dummy).toBeLessThan(real * 3);
  });

  it('asks for a rehash of weaker, other-variant or unreadable hashes', async () => {
    expect(hasher.needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG')).toBe(true);
    expect(hasher.needsRehash('$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG')).toBe(true);
    expect(hasher.needsRehash('garbage')).toBe(true);
  });
});
