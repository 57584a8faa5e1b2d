/**
 * RFC 9110 §13 conditional requests against a file's validators: a strong entity tag and a
 * Last-Modified date (whole seconds, as HTTP dates carry).
 */

export interface Validators {
  /** A strong entity tag, quotes included: `"abc"`. */
  etag: string;
  /** Milliseconds since the epoch, truncated to the second. */
  lastModified: number;
}

export interface ConditionalHeaders {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

export type PreconditionOutcome = 'proceed' | 'not-modified' | 'precondition-failed';

interface EntityTag {
  weak: boolean;
  opaque: string;
}

const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

function parseEntityTag(text: string): EntityTag | undefined {
  const match = ENTITY_TAG.exec(text.trim());
  return match ? { weak: match[1] !== undefined, opaque: match[2] } : undefined;
}

/** `*`, or the entity tags of a list; undefined when the list is malformed. */
function parseEntityTagList(header: string): '*' | EntityTag[] | undefined {
  if (header.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  // Entity tags cannot contain a comma or a quote inside, so splitting on commas is exact.
  for (const element of header.split(',')) {
    if (element.trim() === '') continue;
    const tag = parseEntityTag(element);
    if (!tag) return undefined;
    tags.push(tag);
  }
  return tags;
}

const strongMatch = (a: EntityTag, b: EntityTag) => !a.weak && !b.weak && a.opaque === b.opaque;
const weakMatch = (a: EntityTag, b: EntityTag) => a.opaque === b.opaque;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * An HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, or the obsolete RFC 850 and asctime forms) in ms since
 * the epoch; undefined for anything else (Date.parse would accept "1" or "tomorrow"-like junk).
 */
export function parseHttpDate(text: string): number | undefined {
  const value = text.trim();
  let parts: [day: string, month: string, year: number, h: string, m: string, s: string] | undefined;
  let match = IMF_FIXDATE.exec(value);
  if (match) parts = [match[1], match[2], Number(match[3]), match[4], match[5], match[6]];
  else if ((match = RFC850_DATE.exec(value))) {
    // A two-digit year more than 50 years in the future is in the past century (RFC 9110 §5.6.7).
    const twoDigits = Number(match[3]);
    const thisYear = new Date().getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + twoDigits;
    if (year > thisYear + 50) year -= 100;
    parts = [match[1], match[2], year, match[4], match[5], match[6]];
  } else if ((match = ASCTIME_DATE.exec(value))) parts = [match[2].trim(), match[1], Number(match[6]), match[3], match[4], match[5]];
  if (!parts) return undefined;
  const [day, month, year, hours, minutes, seconds] = parts;
  const time = Date.UTC(year, MONTHS.indexOf(month), Number(day), Number(hours), Number(minutes), Number(seconds));
  const check = new Date(time);
  // 31 Feb and 25:00:00 roll over in Date.UTC; a real date reads back the same.
  if (check.getUTCDate() !== Number(day) || check.getUTCHours() !== Number(hours) || Number(seconds) > 59) return undefined;
  return time;
}

/**
 * The RFC 9110 §13.2.2 evaluation order for GET and HEAD: If-Match, else If-Unmodified-Since (412 when
 * false); then If-None-Match, else If-Modified-Since (304 when false).
 */
export function evaluatePreconditions(headers: ConditionalHeaders, validators: Validators): PreconditionOutcome {
  const current = parseEntityTag(validators.etag)!;
  if (headers.ifMatch !== undefined) {
    const list = parseEntityTagList(headers.ifMatch);
    const matches = list === '*' || (list !== undefined && list.some((tag) => strongMatch(tag, current)));
    if (!matches) return 'precondition-failed';
  } else if (headers.ifUnmodifiedSince !== undefined) {
    const since = parseHttpDate(headers.ifUnmodifiedSince);
    if (since !== undefined && validators.lastModified > since) return 'precondition-failed';
  }
  if (headers.ifNoneMatch !== undefined) {
    const list = parseEntityTagList(headers.ifNoneMatch);
    const matches = list === '*' || (list !== undefined && list.some((tag) => weakMatch(tag, current)));
    if (matches) return 'not-modified';
  } else if (headers.ifModifiedSince !== undefined) {
    const since = parseHttpDate(headers.ifModifiedSince);
    if (since !== undefined && validators.lastModified <= since) return 'not-modified';
  }
  return 'proceed';
}

/**
 * Whether a Range may be honoured under `If-Range` (RFC 9110 §13.1.5): only when it names the current
 * representation by a strong entity tag, or by exactly its Last-Modified date. A weak tag, a stale
 * validator or junk means the whole representation is sent.
 */
export function ifRangeHolds(ifRange: string | undefined, validators: Validators): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) {
    const tag = parseEntityTag(value);
    return tag !== undefined && strongMatch(tag, parseEntityTag(validators.etag)!);
  }
  const date = parseHttpDate(value);
  return date !== undefined && date === validators.lastModified;
}
