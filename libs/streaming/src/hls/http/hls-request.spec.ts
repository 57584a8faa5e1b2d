import { BadRequestException, NotFoundException } from '@nestjs/common';
import { HLS_RENDITIONS } from '@marquee/contracts';
import fc from 'fast-check';
import { parseAudioIndex, parseRendition, parseSegmentName } from './hls-request.js';

/** Strings an attacker would try: traversal (plain, encoded, double-encoded, backslashes), NUL, options, huge numbers. */
const HOSTILE = [
  '..',
  '../',
  '..%2F',
  '..%5C',
  '%2e%2e%2f',
  '..%252F',
  '..\\..\\windows',
  '../../etc/passwd',
  '720p/../../x',
  '720p%00',
  '720p\0',
  '-i',
  '-filter_complex',
  'file:/etc/passwd',
  '1080P',
  ' 720p',
  '0x10.ts',
  '1e3.ts',
  '-1.ts',
  '007.ts',
  '1.ts.ts',
  '1.ts/..',
  '99999999.ts',
  '1.m4s',
  '',
];

const hostile = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 20 }).map((s) => `../${s}`),
  fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(`../${s}`)),
);

function status(call: () => unknown): number | 'ok' {
  try {
    call();
    return 'ok';
  } catch (error) {
    if (error instanceof NotFoundException || error instanceof BadRequestException) return error.getStatus();
    throw error;
  }
}

describe('request values reach nothing unchecked', () => {
  it('renditions come from the allowlist only', () => {
    for (const name of HLS_RENDITIONS) expect(parseRendition(name)).toBe(name);
    fc.assert(
      fc.property(hostile, (value) => {
        const outcome = status(() => parseRendition(value));
        expect(outcome === 'ok' ? (HLS_RENDITIONS as readonly string[]).includes(value) : outcome === 404).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('segment names are plain decimal numbers of at most 7 digits followed by .ts', () => {
    expect(parseSegmentName('0.ts')).toBe(0);
    expect(parseSegmentName('1234567.ts')).toBe(1234567);
    for (const value of HOSTILE) expect(status(() => parseSegmentName(value))).toBe(404);
    fc.assert(
      fc.property(hostile, (value) => {
        let parsed: number | undefined;
        const outcome = status(() => (parsed = parseSegmentName(value)));
        if (outcome === 'ok') {
          expect(Number.isSafeInteger(parsed)).toBe(true);
          expect(`${parsed}.ts`).toBe(value);
        } else {
          expect(outcome).toBe(404);
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(fc.property(fc.nat(9_999_999), (n) => expect(parseSegmentName(`${n}.ts`)).toBe(n)));
  });

  it('audio is a small decimal integer or 400', () => {
    expect(parseAudioIndex(undefined)).toBeUndefined();
    expect(parseAudioIndex('2')).toBe(2);
    for (const value of ['-1', '01', '1.5', '1e1', '0x1', '10000', ' 1', '1;rm -rf', '..%2F', ''])
      expect(status(() => parseAudioIndex(value))).toBe(400);
    expect(status(() => parseAudioIndex(['1', '2']))).toBe(400);
    fc.assert(
      fc.property(hostile, (value) => {
        const outcome = status(() => parseAudioIndex(value));
        expect(outcome === 'ok' ? /^(0|[1-9]\d{0,3})$/.test(value) : outcome === 400).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
