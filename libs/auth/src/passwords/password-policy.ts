import { dictionary } from '@zxcvbn-ts/language-common';

/** NIST SP 800-63B: at least 8 characters, no composition rules, at least 64 allowed. */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

export interface PasswordContext {
  username?: string;
  email?: string | null;
}

let commonPasswords: Set<string> | undefined;

/** ~49k entries: built on first use, then kept. */
function isCommon(lowerCased: string): boolean {
  commonPasswords ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return commonPasswords.has(lowerCased);
}

function fold(value: string): string {
  return value.normalize('NFC').toLowerCase();
}

/** What is wrong with a new password, as sentences for the user; empty when it is acceptable. */
export function passwordProblems(password: string, context: PasswordContext = {}): string[] {
  const normalized = password.normalize('NFC');
  // Code points, not UTF-16 units: an emoji is one character to the user.
  const length = [...normalized].length;
  if (length < MIN_PASSWORD_LENGTH) return [`Password must be at least ${MIN_PASSWORD_LENGTH} characters`];
  if (length > MAX_PASSWORD_LENGTH) return [`Password must be at most ${MAX_PASSWORD_LENGTH} characters`];

  const problems: string[] = [];
  const folded = normalized.toLowerCase();
  if (isCommon(folded)) problems.push('This password is too common; choose another');
  if (context.username && folded === fold(context.username)) problems.push('Password must not be your username');
  if (context.email) {
    const email = fold(context.email);
    const at = email.lastIndexOf('@');
    const localPart = at > 0 ? email.slice(0, at) : email;
    if (folded === email || folded === localPart) problems.push('Password must not be your email address');
  }
  return problems;
}
