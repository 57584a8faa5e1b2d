import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { HttpException, HttpStatus, InternalServerErrorException, NotFoundException, PreconditionFailedException } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
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

/** What a GET or HEAD of a file gets, decided before a byte is written. */
export type FileAnswer =
  /** 200, 206 or 304: the status, every header of the file, and the body (empty for HEAD and 304). */
  | { kind: 'send'; status: number; headers: Record<string, string>; body: BodyPiece[] }
  /** 412 or 416: the error for the problem+json answer, and the headers it still carries (validators, Content-Range). */
  | { kind: 'refuse'; headers: Record<string, string>; error: HttpException };

/** The request as far as a file answer depends on it. */
export interface FileRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface OpenedFile {
  handle: FileHandle;
  stats: BigIntStats;
}

/**
 * Opens the file once; its stat and every byte sent come from that descriptor, so they agree. The
 * caller closes the handle. A file gone since the scan is a 404, any other failure the server's 500.
 */
export async function openFile(file: FileToSend): Promise<OpenedFile> {
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
    return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * The answer per RFC 9110 to a GET or HEAD of a file of `stats`: validators and conditional requests
 * (304/412), single and multipart byte ranges (206), 416, If-Range.
 */
export function answerFileRequest(
  req: FileRequest,
  stats: BigIntStats,
  file: FileToSend,
  limits: RangeLimits = DEFAULT_RANGE_LIMITS,
): FileAnswer {
  const size = Number(stats.size);
  const validators = validatorsOf(stats);
  const headers: Record<string, string> = {
    ETag: validators.etag,
    'Last-Modified': new Date(validators.lastModified).toUTCString(),
    'Cache-Control': 'private, no-cache',
    'Accept-Ranges': 'bytes',
  };

  const outcome = evaluatePreconditions(
    {
      ifMatch: header(req, 'if-match'),
      ifNoneMatch: header(req, 'if-none-match'),
      ifModifiedSince: header(req, 'if-modified-since'),
      ifUnmodifiedSince: header(req, 'if-unmodified-since'),
    },
    validators,
  );
  if (outcome === 'precondition-failed') {
    return { kind: 'refuse', headers, error: new PreconditionFailedException(`${file.label} does not match If-Match/If-Unmodified-Since`) };
  }
  if (outcome === 'not-modified') return { kind: 'send', status: HttpStatus.NOT_MODIFIED, headers, body: [] };

  // Range applies to GET only (RFC 9110 §14.2); If-Range with a stale validator means the whole file.
  const range = req.method === 'GET' && ifRangeHolds(header(req, 'if-range'), validators) ? header(req, 'range') : undefined;
  const plan = planRanges(range, size, limits);
  if (plan.kind === 'unsatisfiable') {
    headers['Content-Range'] = unsatisfiedContentRange(size);
    const error = new HttpException(
      `The range ${JSON.stringify(range)} is not satisfiable: ${file.label} is ${size} bytes`,
      HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
    );
    return { kind: 'refuse', headers, error };
  }

  Object.assign(headers, file.headers);
  headers['Content-Disposition'] = contentDisposition(file.fileName);
  headers['Content-Security-Policy'] = MEDIA_CSP;
  const bodyless = req.method === 'HEAD';

  if (plan.kind === 'full' || plan.ranges.length === 1) {
    const only: ByteRange = plan.kind === 'full' ? { start: 0, end: size - 1 } : plan.ranges[0];
    headers['Content-Type'] = file.contentType;
    if (plan.kind === 'partial') headers['Content-Range'] = contentRange(only, size);
    headers['Content-Length'] = String(only.end - only.start + 1);
    const status = plan.kind === 'full' ? HttpStatus.OK : HttpStatus.PARTIAL_CONTENT;
    return { kind: 'send', status, headers, body: bodyless || only.end < only.start ? [] : [only] };
  }

  const framing = multipartFraming(plan.ranges, size, file.contentType);
  headers['Content-Type'] = framing.contentType;
  headers['Content-Length'] = String(framing.contentLength);
  const body = [...plan.ranges.flatMap((range, index) => [framing.heads[index], range]), framing.trailer];
  return { kind: 'send', status: HttpStatus.PARTIAL_CONTENT, headers, body: bodyless ? [] : body };
}

function header(req: FileRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Writes a `send` answer: the status and headers, then the body with backpressure, then the end of the
 * response. A client gone, or a file cut short under us, destroys the response instead (never a body
 * short of its Content-Length). Resolves once the response is done either way.
 */
export async function writeFileAnswer(
  res: ServerResponse,
  handle: FileHandle,
  answer: Extract<FileAnswer, { kind: 'send' }>,
  chunkSize = DEFAULT_CHUNK_SIZE,
): Promise<void> {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  try {
    await writeBody(handle, res, answer.body, chunkSize);
    res.end();
  } catch {
    res.destroy();
  }
}

/**
 * Serves a file for GET or HEAD (see answerFileRequest). The descriptor is closed when the response
 * ends or the client goes away. A refusal, and a file that cannot be opened, throw the HttpException
 * for the problem+json answer, with the refusal's headers already set.
 */
export async function sendFile(req: FileRequest, res: ServerResponse, file: FileToSend, options: SendOptions = {}): Promise<void> {
  const { handle, stats } = await openFile(file);
  try {
    const answer = answerFileRequest(req, stats, file, options.limits);
    if (answer.kind === 'refuse') {
      for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
      throw answer.error;
    }
    await writeFileAnswer(res, handle, answer, options.chunkSize);
  } finally {
    await handle.close();
  }
}
