import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import { INSTALL_LIMITS, PackageRejectedError } from './install-limits.js';

export interface ReceivedArchive {
  path: string;
  size: number;
  /** Lower-case hex of what arrived. */
  sha256: string;
  /** The checksum the admin gave (multipart `sha256` field or `?sha256=`), lower-cased. */
  expectedSha256?: string;
}

/** Content types of a raw (non-multipart) archive body. */
export const RAW_ARCHIVE_TYPES = [
  'application/zip',
  'application/x-zip-compressed',
  'application/gzip',
  'application/x-gzip',
  'application/octet-stream',
];
const SHA256 = /^[0-9a-f]{64}$/;

function checkSha256(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const normalized = value.trim().toLowerCase();
  if (!SHA256.test(normalized)) throw new PackageRejectedError('sha256 must be 64 hexadecimal digits');
  return normalized;
}

/** Writes `source` to `path`, hashing it and refusing it past the archive size limit. */
async function store(source: Readable, path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > INSTALL_LIMITS.maxArchiveBytes)
        return callback(new PackageRejectedError(`The archive is larger than ${INSTALL_LIMITS.maxArchiveBytes / 1024 / 1024} MiB`));
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  await pipeline(source, counter, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  return { size, sha256: hash.digest('hex') };
}

/**
 * Receives an uploaded plugin archive into `dir`: either a raw body (`Content-Type: application/zip`
 * or `application/gzip`, checksum in `?sha256=`) or multipart/form-data with a `file` part and an
 * optional `sha256` field (before or after the file).
 */
export async function receiveArchive(req: Request, dir: string, querySha256?: string): Promise<ReceivedArchive> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > INSTALL_LIMITS.maxArchiveBytes + 64 * 1024)
    throw new PackageRejectedError(`The archive is larger than ${INSTALL_LIMITS.maxArchiveBytes / 1024 / 1024} MiB`);
  const path = join(dir, 'upload.bin');
  if (RAW_ARCHIVE_TYPES.includes(type)) {
    const expectedSha256 = checkSha256(querySha256);
    return { path, ...(await store(req, path)), expectedSha256 };
  }
  if (type !== 'multipart/form-data') {
    throw new PackageRejectedError(
      `Send an archive (Content-Type application/zip or application/gzip, or multipart/form-data with a "file" part) or JSON {"folder": "/path"}; got ${type || 'no Content-Type'}`,
    );
  }
  return new Promise<ReceivedArchive>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 2, fieldSize: 256, parts: 3 } });
    } catch (error) {
      return reject(new PackageRejectedError(`Malformed multipart request: ${(error as Error).message}`));
    }
    let expected: string | undefined = querySha256;
    let stored: Promise<{ size: number; sha256: string }> | undefined;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      req.resume();
      reject(error);
    };
    parser.on('field', (name, value) => {
      if (name === 'sha256') expected = value;
      else fail(new PackageRejectedError(`Unknown field "${name}": send "file" and optionally "sha256"`));
    });
    parser.on('file', (name, stream) => {
      stream.on('error', () => undefined);
      if (name !== 'file' || stored) {
        stream.resume();
        return fail(new PackageRejectedError(`Send one archive, in a part named "file" (got "${name}")`));
      }
      stored = store(stream, path);
      stored.catch((error: Error) => {
        stream.resume();
        fail(error);
      });
    });
    parser.on('error', (error: Error) => fail(new PackageRejectedError(`Malformed multipart body: ${error.message}`)));
    parser.on('close', () => {
      if (failed) return;
      if (!stored) return fail(new PackageRejectedError('The multipart body has no "file" part'));
      stored.then(
        (result) => {
          try {
            resolve({ path, ...result, expectedSha256: checkSha256(expected) });
          } catch (error) {
            fail(error as Error);
          }
        },
        (error: Error) => fail(error),
      );
    });
    req.pipe(parser);
  });
}

/** After a refusal, the rest of the body is read and dropped (so the client sees the answer), up to this much; then the connection is closed. */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;

/** Reads and drops what is left of a refused upload's body. */
export function discardBody(req: Request): void {
  if (req.complete || req.destroyed) return;
  let drained = 0;
  req.unpipe();
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_MAX_BYTES) req.destroy();
  });
  req.resume();
}
