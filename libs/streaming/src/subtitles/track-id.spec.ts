import fc from 'fast-check';
import { parseTrackId } from './track-id.js';

describe('parseTrackId', () => {
  it.each([
    ['0', { kind: 'embedded', streamIndex: 0 }],
    ['2', { kind: 'embedded', streamIndex: 2 }],
    ['99999', { kind: 'embedded', streamIndex: 99999 }],
    ['ext-1', { kind: 'external', n: 1 }],
    ['ext-9999', { kind: 'external', n: 9999 }],
  ])('%s', (value, expected) => expect(parseTrackId(value)).toEqual(expected));

  it.each([
    '',
    '-1',
    '01',
    '1.5',
    '1e3',
    '0x10',
    ' 1',
    '1 ',
    '100000',
    'ext-0',
    'ext-01',
    'ext-',
    'EXT-1',
    'ext-1 ',
    '../1',
    '..%2F..%2Fetc%2Fpasswd',
    '..%5C..%5Cwindows',
    '../../etc/passwd',
    '..\\..\\boot.ini',
    '1/../2',
    '1%00',
    '1\u0000',
    'ext-1/../../x',
    '１',
  ])('refuses %p', (value) => expect(parseTrackId(value)).toBeUndefined());

  it('refuses non-strings', () => {
    for (const value of [1, null, undefined, {}, ['1']]) expect(parseTrackId(value)).toBeUndefined();
  });

  it('accepts exactly the allowlist, for any string (hostile ones included)', () => {
    const hostile = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc
        .constantFrom('..%2F', '..%5C', '../', '..\\', '%2e%2e%2f', '\u0000', '/', 'ext-')
        .chain((prefix) => fc.string().map((rest) => prefix + rest)),
      fc.integer({ min: -10, max: 200_000 }).map(String),
    );
    fc.assert(
      fc.property(hostile, (value) => {
        const parsed = parseTrackId(value);
        const allowed = /^(?:0|[1-9]\d{0,4})$/.test(value) || /^ext-[1-9]\d{0,3}$/.test(value);
        expect(parsed !== undefined).toBe(allowed);
        if (parsed?.kind === 'embedded') expect(String(parsed.streamIndex)).toBe(value);
        if (parsed?.kind === 'external') expect(`ext-${parsed.n}`).toBe(value);
        // Nothing that survives can name a path.
        if (parsed) expect(['.', '/', '\\', '%', '\u0000'].some((char) => value.includes(char))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
