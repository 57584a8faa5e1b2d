/**
 * RFC 9110 §14 byte ranges: parses a `Range` header and plans the response for a representation of
 * `size` bytes. Pure; numbers of any length are parsed exactly (BigInt), so `bytes=0-99999999999999999999`
 * is a last-pos past the end (clamped), not an overflow.
 */

/** Inclusive byte positions, as in `Content-Range: bytes start-end/size`. */
export interface ByteRange {
  start: number;
  end: number;
}

/** One range-spec as written: `first-[last]` or `-suffix`. */
export type RangeSpec = { first: bigint; last: bigint | null } | { suffix: bigint };

export type ParsedRangeHeader =
  | { kind: 'bytes'; specs: RangeSpec[] }
  /** A unit other than `bytes` (`items=0-5`): the header is ignored. */
  | { kind: 'unknown-unit'; unit: string }
  /** Not a valid ranges-specifier (`bytes=5-1`, `bytes=abc`, `bytes=`): the header is ignored. */
  | { kind: 'malformed' };

/** Why a request with a Range header still gets the whole representation (200). */
export type FullResponseReason =
  | 'no-range'
  | 'unknown-unit'
  | 'malformed'
  | 'too-many-ranges'
  | 'too-many-overlaps'
  /** A zero-length representation asked for by a (satisfiable) suffix range: there is no byte to cut. */
  | 'empty-representation';

export type RangePlan =
  | { kind: 'full'; reason: FullResponseReason }
  /** 206: one range as a single part, several as multipart/byteranges, in request order. */
  | { kind: 'partial'; ranges: ByteRange[] }
  /** 416 with `Content-Range: bytes *\/size`. */
  | { kind: 'unsatisfiable' };

export interface RangeLimits {
  /** More satisfiable ranges than this and the whole representation is sent instead. */
  maxRanges: number;
  /** How many ranges may overlap an earlier one (RFC 9110 §14.2, the "Apache Killer" class). */
  maxOverlaps: number;
}

export const DEFAULT_RANGE_LIMITS: RangeLimits = { maxRanges: 32, maxOverlaps: 2 };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DIGITS = /^[0-9]+$/;
const OWS = /^[ \t]*|[ \t]*$/g;

/** The syntax of a Range header value (RFC 9110 §14.1.1); semantics against a size come from planRanges. */
export function parseRangeHeader(header: string): ParsedRangeHeader {
  const equals = header.indexOf('=');
  if (equals <= 0) return { kind: 'malformed' };
  const unit = header.slice(0, equals).replace(OWS, '');
  if (!TOKEN.test(unit)) return { kind: 'malformed' };
  if (unit.toLowerCase() !== 'bytes') return { kind: 'unknown-unit', unit };

  const specs: RangeSpec[] = [];
  // A list (RFC 9110 §5.6.1): elements separated by commas with optional whitespace; empty elements are ignored.
  for (const element of header.slice(equals + 1).split(',')) {
    const spec = element.replace(OWS, '');
    if (spec === '') continue;
    const dash = spec.indexOf('-');
    if (dash === -1) return { kind: 'malformed' };
    const before = spec.slice(0, dash);
    const after = spec.slice(dash + 1);
    if (before === '') {
      if (!DIGITS.test(after)) return { kind: 'malformed' };
      specs.push({ suffix: BigInt(after) });
      continue;
    }
    if (!DIGITS.test(before) || (after !== '' && !DIGITS.test(after))) return { kind: 'malformed' };
    const first = BigInt(before);
    const last = after === '' ? null : BigInt(after);
    if (last !== null && last < first) return { kind: 'malformed' };
    specs.push({ first, last });
  }
  return specs.length > 0 ? { kind: 'bytes', specs } : { kind: 'malformed' };
}

/**
 * The satisfiable ranges of `specs` against `size` bytes, in request order (RFC 9110 §14.1.2): a
 * first-pos at or past the end, and a zero suffix, are unsatisfiable; a last-pos past the end is
 * clamped; a suffix longer than the representation is all of it.
 */
export function satisfiableRanges(specs: readonly RangeSpec[], size: number): ByteRange[] {
  const length = BigInt(size);
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    if ('suffix' in spec) {
      if (spec.suffix === 0n || length === 0n) continue;
      const start = spec.suffix >= length ? 0n : length - spec.suffix;
      ranges.push({ start: Number(start), end: size - 1 });
    } else {
      if (spec.first >= length) continue;
      const end = spec.last === null || spec.last >= length ? length - 1n : spec.last;
      ranges.push({ start: Number(spec.first), end: Number(end) });
    }
  }
  return ranges;
}

/** How many ranges overlap (share at least one byte with) a range that starts earlier or at the same place. */
export function countOverlaps(ranges: readonly ByteRange[]): number {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || a.end - b.end);
  let overlaps = 0;
  let reach = -1;
  for (const range of sorted) {
    if (range.start <= reach) overlaps++;
    reach = Math.max(reach, range.end);
  }
  return overlaps;
}

/** What to answer to a GET with this `Range` header (undefined: none) for `size` bytes. */
export function planRanges(header: string | undefined, size: number, limits: RangeLimits = DEFAULT_RANGE_LIMITS): RangePlan {
  if (header === undefined) return { kind: 'full', reason: 'no-range' };
  const parsed = parseRangeHeader(header);
  if (parsed.kind !== 'bytes') return { kind: 'full', reason: parsed.kind };
  // Bounded before any per-range work: a header of thousands of tiny ranges costs one pass.
  if (parsed.specs.length > limits.maxRanges) return { kind: 'full', reason: 'too-many-ranges' };
  const ranges = satisfiableRanges(parsed.specs, size);
  if (ranges.length === 0) {
    const suffixOnEmpty = size === 0 && parsed.specs.some((spec) => 'suffix' in spec && spec.suffix > 0n);
    return suffixOnEmpty ? { kind: 'full', reason: 'empty-representation' } : { kind: 'unsatisfiable' };
  }
  if (countOverlaps(ranges) > limits.maxOverlaps) return { kind: 'full', reason: 'too-many-overlaps' };
  return { kind: 'partial', ranges };
}

export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

export function unsatisfiedContentRange(size: number): string {
  return `bytes */${size}`;
}
