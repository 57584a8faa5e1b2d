/** A subtitle track as named in a URL: an embedded stream (by its index) or the n-th sidecar file. */
export type TrackRef = { kind: 'embedded'; streamIndex: number } | { kind: 'external'; n: number };

const EMBEDDED = /^(?:0|[1-9]\d{0,4})$/;
const EXTERNAL = /^ext-([1-9]\d{0,3})$/;

/** The track a route parameter names, or undefined for anything not exactly `<index>` or `ext-<n>`. */
export function parseTrackId(value: unknown): TrackRef | undefined {
  if (typeof value !== 'string') return undefined;
  if (EMBEDDED.test(value)) return { kind: 'embedded', streamIndex: Number(value) };
  const external = EXTERNAL.exec(value);
  return external ? { kind: 'external', n: Number(external[1]) } : undefined;
}

export const externalTrackId = (n: number): string => `ext-${n}`;
