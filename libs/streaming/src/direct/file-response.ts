import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { HttpException, HttpStatus, InternalServerErrorException, NotFoundException, PreconditionFailedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type BodyPiece, writeBody } from './body-writer.js';
import {
  type ByteRange,
  contentRange,
  DEFAULT_RANGE_LIMITS,
  planRanges,
  type RangeLimits,
  unsatisfiedContentRange,
} from './byte-ranges.js';
import { multipartFraming } from './multipart-byteranges.js';
import { evaluatePreconditions, ifRangeHolds, type Validators } from './preconditions.js';

export interface FileToSend {
  path: string;
  contentType: string;
  /** Extra headers for 200 and 206 (e.g. X-Audio-Bit-Depth). */
  headers?: Record<string, string>;
  /** The name offered to a browser that saves the file. */
  fileName: string;
  /** What the 404 detail calls the file, e.g. "The file of item <id>". */
  label: string;
}

export interface SendOptions {
  limits?: RangeLimits;
  /** Bytes per read from the file (and so the most a response holds at once). */
  chunkSize?: number;
}

const DEFAULT_CHUNK_SIZE = 256 * 1024;
/** Media opened directly is a document of its own: nothing in it may run or load anything. */
const MEDIA_CSP = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox";

/**
 * Validators from what is on disk now (not what the last scan saw): a file rewritten in place, or
 * replaced by another with the same size and mtime, gets a new entity tag. The inode is hashed so it
 * does not leak.
 */
export function validatorsOf(stats: BigIntStats): Validators {
  const digest = createHash('sha256').update(`${stats.ino}:${stats.size}:${stats.mtimeNs}`).digest('base64url').slice(0, 27);
  return { etag: `"${digest}"`, lastModified: Number(stats.mtimeMs / 1000n) * 1000 };
}

/** `inline`, with the file's name in UTF-8 (RFC 8187) and an ASCII fallback; no byte of the name can break the header. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/**
 * Serves a file for GET or HEAD per RFC 9110: validators and conditional requests (304/412), single
 * and multipart byte ranges (206), 416, If-Range. The file is opened once and every byte comes from
 * that descriptor (stat and reads agree); data flows with backpressure and the descriptor is closed
 * when the response ends or the client goes away.
 */
export async function sendFile(req: Request, res: Response, file: FileToSend, options: SendOptions = {}): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(file.path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new NotFoundException(`${file.label} is not on disk any more (moved or deleted since the last scan)`);
    }
    // Permissions, I/O errors: the server's problem, not the request's.
    throw new InternalServerErrorException(`${file.label} cannot be read (${code ?? 'error'})`);
  }
  try {
    const stats = await handle.stat({ bigint: true });
    if (!stats.isFile()) throw new NotFoundException(`${file.label} is not a regular file`);
    await respond(req, res, handle, stats, file, options);
  } finally {
    await handle.close();
  }
}

async function respond(req: Request, res: Response, handle: FileHandle, stats: BigIntStats, file: FileToSend, options: SendOptions) {
  const size = Number(stats.size);
  const validators = validatorsOf(stats);
  res.setHeader('ETag', validators.etag);
  res.setHeader('Last-Modified', new Date(validators.lastModified).toUTCString());
  res.setHeader('Cache-Control', 'private, no-cache');
  res.setHeader('Accept-Ranges', 'bytes');

  const outcome = evaluatePreconditions(
    {
      ifMatch: header(req, 'if-match'),
      ifNoneMatch: header(req, 'if-none-match'),
      ifModifiedSince: header(req, 'if-modified-since'),
      ifUnmodifiedSince: header(req, 'if-unmodified-since'),
    },
    validators,
  );
  if (outcome === 'precondition-failed') throw new PreconditionFailedException(`${file.label} does not match If-Match/If-Unmodified-Since`);
  if (outcome === 'not-modified') {
    res.status(HttpStatus.NOT_MODIFIED).end();
    return;
  }

  // Range applies to GET only (RFC 9110 §14.2); If-Range with a stale validator means the whole file.
  const range = req.method === 'GET' && ifRangeHolds(header(req, 'if-range'), validators) ? header(req, 'range') : undefined;
  const plan = planRanges(range, size, options.limits ?? DEFAULT_RANGE_LIMITS);
  if (plan.kind === 'unsatisfiable') {
    res.setHeader('Content-Range', unsatisfiedContentRange(size));
    throw new HttpException(
      `The range ${JSON.stringify(range)} is not satisfiable: ${file.label} is ${size} bytes`,
      HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
    );
  }

  for (const [name, value] of Object.entries(file.headers ?? {})) res.setHeader(name, value);
  res.setHeader('Content-Disposition', contentDisposition(file.fileName));
  res.setHeader('Content-Security-Policy', MEDIA_CSP);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;

  if (plan.kind === 'full' || plan.ranges.length === 1) {
    const whole: ByteRange = { start: 0, end: size - 1 };
    const only = plan.kind === 'full' ? whole : plan.ranges[0];
    res.status(plan.kind === 'full' ? HttpStatus.OK : HttpStatus.PARTIAL_CONTENT);
    res.setHeader('Content-Type', file.contentType);
    if (plan.kind === 'partial') res.setHeader('Content-Range', contentRange(only, size));
    res.setHeader('Content-Length', String(only.end - only.start + 1));
    if (req.method === 'HEAD' || only.end < only.start) {
      res.end();
      return;
    }
    await send(handle, res, [only], chunkSize);
    return;
  }

  const framing = multipartFraming(plan.ranges, size, file.contentType);
  res.status(HttpStatus.PARTIAL_CONTENT);
  res.setHeader('Content-Type', framing.contentType);
  res.setHeader('Content-Length', String(framing.contentLength));
  await send(handle, res, [...plan.ranges.flatMap((range, index) => [framing.heads[index], range]), framing.trailer], chunkSize);
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The body, then the end of the response; a client gone or a file cut short destroys the response instead. */
async function send(handle: FileHandle, res: Response, pieces: BodyPiece[], chunkSize: number): Promise<void> {
  try {
    await writeBody(handle, res, pieces, chunkSize);
    res.end();
  } catch {
    res.destroy();
  }
}
