/**
 * Fractional ordering keys: strings that sort in list order byte by byte (the column is COLLATE "C"),
 * so an entry moves or is inserted by giving it one new key between its neighbours' keys, and no
 * other row changes.
 *
 * A key is an integer part followed by an optional fraction, both in base 62 (digits, then upper,
 * then lower case letters: ASCII order). The integer part's first character gives its length:
 * `a`–`z` are 1 to 26 digits of positive integers, `A`–`Z` 26 down to 1 digits of negative ones, so
 * appending at either end only increments the integer (10,000 appends give 4-character keys), while
 * inserting between two keys lengthens the fraction. A fraction never ends in `0`, so between any two
 * keys there is always another. This is David Greenspan's scheme ("Implementing Fractional
 * Indexing", the fractional-indexing package), written here from its description.
 */

export const RANK_DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ZERO = RANK_DIGITS[0];
const LAST_DIGIT = RANK_DIGITS[RANK_DIGITS.length - 1];
/** The smallest integer part: reserved, so there is always room below any key. */
const SMALLEST_INTEGER = `A${ZERO.repeat(26)}`;
/** The key of the first entry of an empty list. */
export const FIRST_RANK = `a${ZERO}`;

/**
 * Keys longer than this make the list worth renumbering (one statement over its rows). Only repeated
 * insertions into the same gap grow keys: about one character per six insertions.
 */
export const MAX_RANK_LENGTH = 48;

const digitValue = (char: string): number => {
  const value = RANK_DIGITS.indexOf(char);
  if (value < 0) throw new Error(`Not a rank digit: ${JSON.stringify(char)}`);
  return value;
};

function integerLength(head: string): number {
  if (head >= 'a' && head <= 'z') return head.charCodeAt(0) - 'a'.charCodeAt(0) + 2;
  if (head >= 'A' && head <= 'Z') return 'Z'.charCodeAt(0) - head.charCodeAt(0) + 2;
  throw new Error(`Not a rank key head: ${JSON.stringify(head)}`);
}

function integerPart(key: string): string {
  const length = integerLength(key[0]);
  if (length > key.length) throw new Error(`Rank key too short for its head: ${JSON.stringify(key)}`);
  return key.slice(0, length);
}

/** Throws unless `key` is a well-formed rank key. */
export function assertRankKey(key: string): void {
  if (typeof key !== 'string' || key === '') throw new Error(`Not a rank key: ${JSON.stringify(key)}`);
  if (key === SMALLEST_INTEGER) throw new Error(`Reserved rank key: ${key}`);
  const integer = integerPart(key);
  for (const char of key.slice(1)) digitValue(char);
  if (key.length > integer.length && key.endsWith(ZERO)) throw new Error(`Rank key fraction ends in 0: ${JSON.stringify(key)}`);
}

export function isRankKey(key: string): boolean {
  try {
    assertRankKey(key);
    return true;
  } catch {
    return false;
  }
}

/** A fraction strictly between fractions `a` and `b` (`b` null: 1). */
function midpoint(a: string, b: string | null): string {
  if (b !== null) {
    let shared = 0;
    while ((a[shared] ?? ZERO) === b[shared]) shared++;
    if (shared > 0) return b.slice(0, shared) + midpoint(a.slice(shared), b.slice(shared));
  }
  const low = a ? digitValue(a[0]) : 0;
  const high = b !== null ? digitValue(b[0]) : RANK_DIGITS.length;
  if (high - low > 1) return RANK_DIGITS[Math.round((low + high) / 2)];
  // Adjacent digits: b's first digit alone fits when b goes on, otherwise go one digit deeper after a's.
  if (b !== null && b.length > 1) return b.slice(0, 1);
  return RANK_DIGITS[low] + midpoint(a.slice(1), null);
}

function incrementInteger(integer: string): string | null {
  const head = integer[0];
  const digits = integer.slice(1).split('');
  for (let i = digits.length - 1; i >= 0; i--) {
    const next = digitValue(digits[i]) + 1;
    if (next < RANK_DIGITS.length) {
      digits[i] = RANK_DIGITS[next];
      return head + digits.join('');
    }
    digits[i] = ZERO;
  }
  if (head === 'Z') return `a${ZERO}`;
  if (head === 'z') return null;
  const nextHead = String.fromCharCode(head.charCodeAt(0) + 1);
  if (nextHead > 'a') digits.push(ZERO);
  else digits.pop();
  return nextHead + digits.join('');
}

function decrementInteger(integer: string): string | null {
  const head = integer[0];
  const digits = integer.slice(1).split('');
  for (let i = digits.length - 1; i >= 0; i--) {
    const previous = digitValue(digits[i]) - 1;
    if (previous >= 0) {
      digits[i] = RANK_DIGITS[previous];
      return head + digits.join('');
    }
    digits[i] = LAST_DIGIT;
  }
  if (head === 'a') return `Z${LAST_DIGIT}`;
  if (head === 'A') return null;
  const previousHead = String.fromCharCode(head.charCodeAt(0) - 1);
  if (previousHead < 'Z') digits.push(LAST_DIGIT);
  else digits.pop();
  return previousHead + digits.join('');
}

/**
 * A key strictly between `before` and `after` (null: the start or the end of the list). Keys compare
 * with plain `<` (code units), which is what COLLATE "C" does with these ASCII strings.
 */
export function rankBetween(before: string | null, after: string | null): string {
  if (before !== null) assertRankKey(before);
  if (after !== null) assertRankKey(after);
  if (before !== null && after !== null && before >= after) {
    throw new Error(`Rank keys out of order: ${JSON.stringify(before)} is not before ${JSON.stringify(after)}`);
  }
  if (before === null) {
    if (after === null) return FIRST_RANK;
    const integer = integerPart(after);
    const fraction = after.slice(integer.length);
    if (integer === SMALLEST_INTEGER) return integer + midpoint('', fraction);
    if (integer < after) return integer;
    const lower = decrementInteger(integer);
    if (lower === null) throw new Error('Cannot make a rank key before the smallest one');
    // The smallest integer is reserved as a key of its own; a fraction above it is still free.
    return lower === SMALLEST_INTEGER ? lower + midpoint('', null) : lower;
  }
  const integer = integerPart(before);
  const fraction = before.slice(integer.length);
  if (after === null) {
    const higher = incrementInteger(integer);
    return higher === null ? integer + midpoint(fraction, null) : higher;
  }
  const afterInteger = integerPart(after);
  if (integer === afterInteger) return integer + midpoint(fraction, after.slice(afterInteger.length));
  const higher = incrementInteger(integer);
  if (higher === null) throw new Error('Cannot make a rank key after the largest one');
  return higher < after ? higher : integer + midpoint(fraction, null);
}

/**
 * `count` ascending keys strictly between `before` and `after`. Between two keys they are spread
 * (the middle one first, then each half), so they stay about log62(count) characters longer than
 * their neighbours instead of one character longer per key.
 */
export function ranksBetween(before: string | null, after: string | null, count: number): string[] {
  if (!Number.isInteger(count) || count < 0) throw new Error(`Not a key count: ${count}`);
  if (count === 0) return [];
  if (count === 1) return [rankBetween(before, after)];
  if (after === null) {
    const keys: string[] = [];
    let key = before;
    for (let i = 0; i < count; i++) keys.push((key = rankBetween(key, null)));
    return keys;
  }
  if (before === null) {
    const keys: string[] = [];
    let key: string | null = after;
    for (let i = 0; i < count; i++) keys.push((key = rankBetween(null, key)));
    return keys.reverse();
  }
  const half = Math.floor(count / 2);
  const middle = rankBetween(before, after);
  return [...ranksBetween(before, middle, half), middle, ...ranksBetween(middle, after, count - half - 1)];
}

/** Fresh keys for a whole list of `count` entries (a renumbering): short and evenly spaced. */
export function evenRanks(count: number): string[] {
  return ranksBetween(null, null, count);
}

export const needsRebalance = (keys: readonly string[]): boolean => keys.some((key) => key.length > MAX_RANK_LENGTH);
