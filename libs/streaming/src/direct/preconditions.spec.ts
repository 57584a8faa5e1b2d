import fc from 'fast-check';
import { evaluatePreconditions, ifRangeHolds, parseHttpDate, type Validators } from './preconditions.js';

const LAST_MODIFIED = Date.UTC(2024, 2, 1, 10, 0, 0);
const current: Validators = { etag: '"abc123"', lastModified: LAST_MODIFIED };
const HTTP_DATE = new Date(LAST_MODIFIED).toUTCString(); // Fri, 01 Mar 2024 10:00:00 GMT
const EARLIER = new Date(LAST_MODIFIED - 1000).toUTCString();
const LATER = new Date(LAST_MODIFIED + 1000).toUTCString();

describe('parseHttpDate', () => {
  it('reads the three HTTP-date forms', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseHttpDate(HTTP_DATE)).toBe(LAST_MODIFIED);
  });

  it.each([
    '',
    '1',
    'tomorrow',
    '2024-03-01T10:00:00Z',
    'Fri, 31 Feb 2024 10:00:00 GMT',
    'Fri, 01 Mar 2024 25:00:00 GMT',
    'Fri, 01 Mar 2024 10:00:60 GMT',
    'Fri, 01 Mar 2024 10:00:00 UTC',
    'Fri, 1 Mar 2024 10:00:00 GMT',
  ])('refuses %j', (text) => expect(parseHttpDate(text)).toBeUndefined());

  it('round-trips any date that toUTCString writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799 }), (seconds) => {
        expect(parseHttpDate(new Date(seconds * 1000).toUTCString())).toBe(seconds * 1000);
      }),
    );
  });
});

describe('evaluatePreconditions (RFC 9110 §13.2.2)', () => {
  it.each([
    [{}, 'proceed'],
    [{ ifNoneMatch: '"abc123"' }, 'not-modified'],
    [{ ifNoneMatch: 'W/"abc123"' }, 'not-modified'],
    [{ ifNoneMatch: '"x", "abc123"' }, 'not-modified'],
    [{ ifNoneMatch: '*' }, 'not-modified'],
    [{ ifNoneMatch: '"other"' }, 'proceed'],
    [{ ifNoneMatch: 'garbage' }, 'proceed'],
    [{ ifModifiedSince: HTTP_DATE }, 'not-modified'],
    [{ ifModifiedSince: LATER }, 'not-modified'],
    [{ ifModifiedSince: EARLIER }, 'proceed'],
    [{ ifModifiedSince: 'yesterday' }, 'proceed'],
    // If-None-Match wins over If-Modified-Since.
    [{ ifNoneMatch: '"other"', ifModifiedSince: LATER }, 'proceed'],
    [{ ifMatch: '"abc123"' }, 'proceed'],
    [{ ifMatch: '*' }, 'proceed'],
    [{ ifMatch: '"x", "abc123"' }, 'proceed'],
    [{ ifMatch: 'W/"abc123"' }, 'precondition-failed'],
    [{ ifMatch: '"other"' }, 'precondition-failed'],
    [{ ifMatch: 'garbage' }, 'precondition-failed'],
    [{ ifUnmodifiedSince: HTTP_DATE }, 'proceed'],
    [{ ifUnmodifiedSince: LATER }, 'proceed'],
    [{ ifUnmodifiedSince: EARLIER }, 'precondition-failed'],
    [{ ifUnmodifiedSince: 'junk' }, 'proceed'],
    // If-Match wins over If-Unmodified-Since; a failed precondition wins over a not-modified one.
    [{ ifMatch: '"abc123"', ifUnmodifiedSince: EARLIER }, 'proceed'],
    [{ ifMatch: '"other"', ifNoneMatch: '"abc123"' }, 'precondition-failed'],
    [{ ifMatch: '"abc123"', ifNoneMatch: '"abc123"' }, 'not-modified'],
  ])('%j → %s', (headers, outcome) => {
    expect(evaluatePreconditions(headers, current)).toBe(outcome);
  });
});

describe('ifRangeHolds (RFC 9110 §13.1.5)', () => {
  it.each([
    [undefined, true],
    ['"abc123"', true],
    [' "abc123" ', true],
    ['W/"abc123"', false],
    ['"stale"', false],
    [HTTP_DATE, true],
    [EARLIER, false],
    [LATER, false],
    ['not a date', false],
    ['"abc123", "x"', false],
  ])('%j → %s', (header, holds) => {
    expect(ifRangeHolds(header, current)).toBe(holds);
  });
});
