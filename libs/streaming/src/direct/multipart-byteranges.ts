import { randomBytes } from 'node:crypto';
import { type ByteRange, contentRange } from './byte-ranges.js';

/**
 * The framing of a `multipart/byteranges` body (RFC 9110 §14.6): every part has its own
 * Content-Type and Content-Range, parts follow the order of the ranges. The body is
 * `head(0) data(0) head(1) data(1) … trailer`, so its exact Content-Length is known before a byte is read.
 */
export interface MultipartFraming {
  contentType: string;
  /** The bytes written before each range's data. */
  heads: Buffer[];
  trailer: Buffer;
  contentLength: number;
}

export function newBoundary(): string {
  return randomBytes(12).toString('hex');
}

export function multipartFraming(ranges: readonly ByteRange[], size: number, partType: string, boundary = newBoundary()): MultipartFraming {
  const heads = ranges.map((range, index) =>
    Buffer.from(
      `${index === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${partType}\r\nContent-Range: ${contentRange(range, size)}\r\n\r\n`,
      'latin1',
    ),
  );
  const trailer = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  const data = ranges.reduce((total, range) => total + range.end - range.start + 1, 0);
  const framing = heads.reduce((total, head) => total + head.length, trailer.length);
  return { contentType: `multipart/byteranges; boundary=${boundary}`, heads, trailer, contentLength: framing + data };
}
