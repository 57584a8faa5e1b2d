import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblems } from './password-policy.js';

describe('passwordProblems', () => {
  it('accepts a random 8-character password', () => {
    expect(passwordProblems('vT7#qLp2')).toEqual([]);
  });

  it('has no composition rules: a long lower-case passphrase is fine', () => {
    expect(passwordProblems('correct horse battery staple')).toEqual([]);
  });

  it('refuses passwords shorter than 8 characters', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(8);
    expect(passwordProblems('aB3$xY7')).toEqual(['Password must be at least 8 characters']);
    expect(passwordProblems('')).toEqual(['Password must be at least 8 characters']);
  });

  it('counts Unicode code points after NFC normalisation, not UTF-16 units', () => {
    // Four emoji are eight UTF-16 units but four characters.
    expect(passwordProblems('🎬🍿🎥📼')).toEqual(['Password must be at least 8 characters']);
    expect(passwordProblems('🎬🍿🎥📼🎦🎭🎪🎤')).toEqual([]);
    // "e" + combining acute accent is two code points, one once composed: 14 UTF-16 units, 7 characters.
    const decomposed = 'e\u0301'.repeat(7);
    expect(decomposed.length).toBe(14);
    expect(passwordProblems(decomposed)).toEqual(['Password must be at least 8 characters']);
    expect(passwordProblems(`${decomposed}\u00e9`)).toEqual([]);
  });

  it('allows 64+ characters up to the maximum, and refuses longer ones', () => {
    expect(MAX_PASSWORD_LENGTH).toBe(1024);
    expect(passwordProblems('k'.repeat(64) + 'z')).toEqual([]);
    expect(passwordProblems('q9'.repeat(512))).toEqual([]);
    expect(passwordProblems('q9'.repeat(512) + 'x')).toEqual(['Password must be at most 1024 characters']);
  });

  it.each(['password1', 'qwerty123', 'iloveyou', 'PASSWORD1', 'QwErTy123'])('refuses the common password %s', (password) => {
    expect(passwordProblems(password)).toEqual(['This password is too common; choose another']);
  });

  it('refuses the username, case-insensitively', () => {
    expect(passwordProblems('MovieBuff42', { username: 'moviebuff42' })).toEqual(['Password must not be your username']);
    expect(passwordProblems('MovieBuff42', { username: 'someone-else' })).toEqual([]);
  });

  it('refuses the email address and its local part, case-insensitively', () => {
    const context = { username: 'ada', email: 'Ada.Lovelace@example.org' };
    expect(passwordProblems('ada.lovelace@example.org', context)).toEqual(['Password must not be your email address']);
    expect(passwordProblems('ADA.LOVELACE', context)).toEqual(['Password must not be your email address']);
    expect(passwordProblems('ada.lovelace1', context)).toEqual([]);
    expect(passwordProblems('ada.lovelace1', { email: null })).toEqual([]);
  });

  it('reports every problem at once', () => {
    expect(passwordProblems('password1', { username: 'password1' })).toEqual([
      'This password is too common; choose another',
      'Password must not be your username',
    ]);
  });
});
