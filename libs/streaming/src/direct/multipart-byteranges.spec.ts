import fc from 'fast-check';
import type { ByteRange } from './byte-ranges.js';
import { multipartFraming } from './multipart-byteranges.js';

/** Splits a multipart/byteranges body back into parts (RFC 2046 framing), for checking what was framed. */
function parseParts(body: Buffer, boundary: string): { headers: Record<string, string>; data: Buffer }[] {
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  const close = `\r\n--${boundary}--\r\n`;
  expect(text.endsWith(close)).toBe(true);
  const inner = text.slice(0, text.length - close.length);
  expect(inner.startsWith(`${delimiter}\r\n`)).toBe(true);
  return inner
    .slice(delimiter.length + 2)
    .split(`\r\n${delimiter}\r\n`)
    .map((part) => {
      const split = part.indexOf('\r\n\r\n');
      const headers = Object.fromEntries(
        part
          .slice(0, split)
          .split('\r\n')
          .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      return { headers, data: Buffer.from(part.slice(split + 4), 'latin1') };
    });
}

function assemble(file: Buffer, ranges: ByteRange[], type: string) {
  const framing = multipartFraming(ranges, file.length, type);
  const chunks = ranges.flatMap((range, i) => [framing.heads[i], file.subarray(range.start, range.end + 1)]);
  return { framing, body: Buffer.concat([...chunks, framing.trailer]) };
}

describe('multipartFraming', () => {
  it('frames every range with its own Content-Type and Content-Range, in order, with an exact Content-Length', () => {
    const file = Buffer.from('0123456789abcdefghij');
    const ranges = [
      { start: 10, end: 12 },
      { start: 0, end: 1 },
      { start: 19, end: 19 },
    ];
    const { framing, body } = assemble(file, ranges, 'video/mp4');
    const boundary = /^multipart\/byteranges; boundary=([0-9a-f]{24})$/.exec(framing.contentType)![1];
    expect(framing.contentLength).toBe(body.length);
    expect(parseParts(body, boundary)).toEqual([
      { headers: { 'content-type': 'video/mp4', 'content-range': 'bytes 10-12/20' }, data: Buffer.from('abc') },
      { headers: { 'content-type': 'video/mp4', 'content-range': 'bytes 0-1/20' }, data: Buffer.from('01') },
      { headers: { 'content-type': 'video/mp4', 'content-range': 'bytes 19-19/20' }, data: Buffer.from('j') },
    ]);
  });

  it('uses a fresh boundary each time', () => {
    const a = multipartFraming([{ start: 0, end: 0 }], 1, 'audio/flac').contentType;
    const b = multipartFraming([{ start: 0, end: 0 }], 1, 'audio/flac').contentType;
    expect(a).not.toBe(b);
  });

  it('parses back to the requested bytes for any ranges of any content', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }).chain((bytes) =>
          fc.tuple(
            fc.constant(Buffer.from(bytes)),
            fc.array(
              fc
                .tuple(fc.nat(bytes.length - 1), fc.nat(bytes.length - 1))
                .map(([a, b]) => ({ start: Math.min(a, b), end: Math.max(a, b) })),
              { minLength: 2, maxLength: 6 },
            ),
          ),
        ),
        ([file, ranges]) => {
          const { framing, body } = assemble(file, ranges, 'application/octet-stream');
          expect(body.length).toBe(framing.contentLength);
          const boundary = framing.contentType.split('boundary=')[1];
          const parts = parseParts(body, boundary);
          expect(parts.map((p) => p.headers['content-range'])).toEqual(ranges.map((r) => `bytes ${r.start}-${r.end}/${file.length}`));
          expect(parts.map((p) => p.data)).toEqual(ranges.map((r) => file.subarray(r.start, r.end + 1)));
        },
      ),
    );
  });
});
