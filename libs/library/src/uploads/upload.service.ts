import { randomBytes } from 'node:crypto';
import { link, mkdir, open, realpath, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BadRequestException,
  ConflictException,
  HttpException,
  Injectable,
  Logger,
  PayloadTooLargeException,
  RequestTimeoutException,
  ServiceUnavailableException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { UploadResponse } from '@marquee/contracts';
import busboy from 'busboy';
import type { Request } from 'express';
import type { Library } from '../entities/library.entity.js';
import { isInside } from '../libraries/folder-policy.js';
import { LibraryService } from '../libraries/library.service.js';
import {
  checkUploadContent,
  parseFolderField,
  parseFolderIndex,
  safeFileName,
  SNIFF_BYTES,
  UPLOAD_MAX_BYTES_ENV,
  uploadIdleTimeoutMs,
  uploadMaxBytes,
  UploadRejection,
  uploadTypeFor,
} from './upload-policy.js';

/** Multipart framing and the small fields around the file: a declared length beyond limit + this is refused unread. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;
/** After a refusal, the rest of the body is read and dropped (so the client sees the answer) up to this much… */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
/** …or for this long; then the connection is closed. */
const DRAIN_TIMEOUT_MS = 30_000;

const FIELDS = ['folder', 'folderIndex'] as const;
type FieldName = (typeof FIELDS)[number];

/** The client went away before the whole body arrived. */
class ClientAbortedError extends Error {
  constructor() {
    super('The client closed the connection before the upload finished');
    this.name = 'ClientAbortedError';
  }
}

/** A file fully written to its temp name, not yet in place. */
interface Received {
  tempPath: string;
  target: string;
  relativePath: string;
  size: number;
}

/** What one upload made on disk, so a failure can take it all back. */
interface UploadState {
  createdDirs: string[];
  target?: string;
}

const toPosix = (path: string) => path.split(sep).join('/');
const errorCode = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

/**
 * Uploads into a library folder: a multipart body streamed by busboy straight to a hidden temp file
 * in the target folder (never held in memory), checked by extension and by its first bytes, limited
 * in size, then put in place with an exclusive link (an existing file is never overwritten) and
 * followed by a partial scan of that one file.
 *
 * Field order matters: `folder` / `folderIndex` must come before the `file` part, as browsers send
 * FormData fields in the order they were appended.
 */
@Injectable()
export class UploadService {
  private readonly logger = new Logger(UploadService.name);
  /** Target paths this process is receiving: a second upload of the same name is refused at once. */
  private readonly inFlight = new Set<string>();

  constructor(private readonly libraries: LibraryService) {
    // An invalid MARQUEE_UPLOAD_MAX_BYTES or MARQUEE_UPLOAD_IDLE_SECONDS stops the api at start rather than at the first upload.
    uploadMaxBytes();
    uploadIdleTimeoutMs();
  }

  async upload(libraryId: string, req: Request): Promise<UploadResponse> {
    let received: Received & { library: Library };
    try {
      const library = await this.libraries.get(libraryId);
      const maxBytes = uploadMaxBytes();
      const contentType = req.headers['content-type'] ?? '';
      if (!/^multipart\/form-data\b/i.test(contentType))
        throw new UploadRejection(
          415,
          `Uploads are multipart/form-data with the file in a "file" part (got ${contentType ? `"${contentType.split(';')[0]}"` : 'no Content-Type'})`,
        );
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES) throw tooLarge(maxBytes);
      received = { ...(await this.receive(req, library, maxBytes)), library };
    } catch (error) {
      discardBody(req);
      throw this.toHttpError(error, libraryId);
    }

    const { library, target, relativePath, size } = received;
    this.logger.log(`uploaded "${relativePath}" (${size} bytes) into library "${library.name}"`);
    try {
      const scan = await this.libraries.requestScan(library.id, { paths: [target], priority: 'interactive' });
      return { path: relativePath, size, scanJobId: scan.jobId };
    } catch (error) {
      const message = (error as Error).message;
      this.logger.error(`"${relativePath}" was saved but its scan could not be queued: ${message}`);
      throw new ServiceUnavailableException(
        `"${relativePath}" was saved, but its scan could not be queued (${message}); the next scan of the library will pick it up`,
      );
    }
  }

  /** Parses the body and stores its one file part; resolves once the file is in place. */
  private async receive(req: Request, library: Library, maxBytes: number): Promise<Received> {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // Names are made safe by safeFileName, which also takes the last path segment.
        preservePath: true,
        defParamCharset: 'utf8',
        // One byte over the limit is enough to know the file is too large (the counter below refuses it).
        limits: { fileSize: maxBytes + 1, fields: FIELDS.length, fieldSize: 4096, parts: FIELDS.length + 2, headerPairs: 16 },
      });
    } catch (error) {
      throw new UploadRejection(400, `Malformed multipart request: ${(error as Error).message}`);
    }

    const abort = new AbortController();
    const fail = (error: unknown) => {
      if (abort.signal.aborted) return;
      abort.abort(error);
      req.unpipe(parser);
      parser.destroy();
    };
    const aborted = new Promise<never>((_resolve, reject) =>
      abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true }),
    );
    aborted.catch(() => undefined);

    const fields = new Map<FieldName, string>();
    const state: UploadState = { createdDirs: [] };
    let stored: Promise<Received> | undefined;

    parser.on('field', (name, value, info) => {
      if (!(FIELDS as readonly string[]).includes(name))
        return fail(new UploadRejection(400, `Unknown field "${name}"; an upload has "file" and optionally "folder" or "folderIndex"`));
      if (stored)
        return fail(new UploadRejection(400, `"${name}" came after the file: send "folder" and "folderIndex" before the "file" part`));
      if (fields.has(name as FieldName)) return fail(new UploadRejection(400, `"${name}" was sent twice`));
      if (info.valueTruncated) return fail(new UploadRejection(400, `"${name}" is too long`));
      fields.set(name as FieldName, value);
    });
    parser.on('file', (name, stream, info) => {
      // busboy destroys a part's stream with an error when the form is cut short; whoever reads the
      // stream sees it, and an unread stream must not turn it into an uncaught 'error' event.
      stream.on('error', () => undefined);
      if (name !== 'file') {
        stream.resume();
        return fail(new UploadRejection(400, `Unexpected file part "${name}": send the file as "file"`));
      }
      if (stored) {
        stream.resume();
        return fail(new UploadRejection(400, 'Send one file per upload (the body has more than one file part)'));
      }
      stored = this.store(stream, info.filename, library, fields, maxBytes, abort.signal, state);
      stored.catch(fail);
    });
    parser.on('partsLimit', () =>
      fail(new UploadRejection(400, 'The upload has too many parts: send "file" and optionally "folder" or "folderIndex"')),
    );
    parser.on('fieldsLimit', () => fail(new UploadRejection(400, 'The upload has too many fields')));
    parser.on('error', (error: Error) =>
      fail(clientGone(req) ? new ClientAbortedError() : new UploadRejection(400, `Malformed multipart body: ${error.message}`)),
    );
    const formDone = new Promise<void>((resolve) => parser.once('close', resolve));
    const onRequestClose = () => {
      if (!req.complete) fail(new ClientAbortedError());
    };
    const onRequestError = () => fail(new ClientAbortedError());
    req.once('close', onRequestClose);
    req.once('error', onRequestError);
    const idleMs = uploadIdleTimeoutMs();
    const idle = setTimeout(() => fail(new UploadRejection(408, `The upload sent nothing for ${idleMs / 1000} s and was dropped`)), idleMs);
    const onData = () => idle.refresh();
    req.on('data', onData);
    req.pipe(parser);

    let received: Received | undefined;
    try {
      await Promise.race([formDone, aborted]);
      if (!stored) throw new UploadRejection(400, 'The upload has no "file" part');
      received = await Promise.race([stored, aborted]);
      await this.commit(received);
      return received;
    } catch (error) {
      fail(error);
      // Whatever was written goes: the temp file (store removes it, wait for that), the folders made.
      const settled = await stored?.catch(() => undefined);
      if (settled) await unlink(settled.tempPath).catch(() => undefined);
      for (const dir of [...state.createdDirs].reverse()) await rmdir(dir).catch(() => undefined);
      throw abort.signal.reason;
    } finally {
      clearTimeout(idle);
      req.off('data', onData);
      req.off('close', onRequestClose);
      req.off('error', onRequestError);
      if (state.target) this.inFlight.delete(state.target);
    }
  }

  /** Resolves where the file goes, sniffs its head, and streams it to a temp file beside its final name. */
  private async store(
    stream: Readable & { truncated?: boolean },
    fileName: string | undefined,
    library: Library,
    fields: Map<FieldName, string>,
    maxBytes: number,
    signal: AbortSignal,
    state: UploadState,
  ): Promise<Received> {
    const name = safeFileName(fileName);
    uploadTypeFor(name);
    const folderIndex = parseFolderIndex(fields.get('folderIndex'), library.folders.length);
    const segments = parseFolderField(fields.get('folder'));
    const root = await realpath(library.folders[folderIndex]).catch(() => {
      throw new UploadRejection(409, `The library folder "${library.folders[folderIndex]}" is not available on the server`);
    });
    const dir = await targetDirectory(root, segments, state.createdDirs);
    signal.throwIfAborted();
    const target = join(dir, name);
    const relativePath = toPosix(relative(root, target));
    // Claimed before any await, so two uploads of one name in this process cannot both get past here.
    if (this.inFlight.has(target)) throw new UploadRejection(409, `"${relativePath}" is being uploaded right now`);
    this.inFlight.add(target);
    state.target = target;
    if (await exists(target)) throw new UploadRejection(409, `"${relativePath}" already exists in the library; it is never overwritten`);

    const head = await readHead(stream, SNIFF_BYTES, signal);
    checkUploadContent(name, head.data);

    const tempPath = join(dir, `.${name}.${randomBytes(6).toString('hex')}.uploading`);
    const handle = await open(tempPath, 'wx', 0o644);
    let size = 0;
    try {
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          if (size > maxBytes) callback(tooLarge(maxBytes));
          else callback(null, chunk);
        },
      });
      async function* source() {
        if (head.data.length > 0) yield head.data;
        if (!head.ended) yield* stream;
      }
      // flush: fsync before the stream closes the handle, so a file reported as stored is on disk.
      await pipeline(source(), counter, handle.createWriteStream({ flush: true }), { signal });
      if (stream.truncated) throw tooLarge(maxBytes);
      return { tempPath, target, relativePath, size };
    } catch (error) {
      await unlink(tempPath).catch(() => undefined);
      throw signal.aborted ? signal.reason : error;
    } finally {
      // Closed by the write stream already unless something failed before it was made.
      await handle.close().catch(() => undefined);
    }
  }

  /** Puts the temp file in place without ever replacing a file: link() fails when the name exists. */
  private async commit(received: Received): Promise<void> {
    const { tempPath, target, relativePath } = received;
    const exists = () => new UploadRejection(409, `"${relativePath}" already exists in the library; it is never overwritten`);
    try {
      await link(tempPath, target);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') throw exists();
      // File systems without hard links (FAT, some network shares): reserve the name exclusively, then rename over it.
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV'].includes(errorCode(error) ?? '')) throw error;
      const reserved = await open(target, 'wx').catch((reason: unknown) => {
        throw errorCode(reason) === 'EEXIST' ? exists() : reason;
      });
      await reserved.close();
      try {
        await rename(tempPath, target);
      } catch (renameError) {
        await unlink(target).catch(() => undefined);
        throw renameError;
      }
      return;
    }
    await unlink(tempPath).catch((error: Error) => this.logger.warn(`could not remove the temp file ${tempPath}: ${error.message}`));
  }

  private toHttpError(error: unknown, libraryId: string): unknown {
    if (error instanceof HttpException) return error;
    if (error instanceof UploadRejection) {
      switch (error.status) {
        case 400:
          return new BadRequestException(error.message);
        case 408:
          return new RequestTimeoutException(error.message);
        case 409:
          return new ConflictException(error.message);
        case 413:
          return new PayloadTooLargeException(error.message);
        case 415:
          return new UnsupportedMediaTypeException(error.message);
      }
    }
    if (error instanceof ClientAbortedError) {
      this.logger.warn(`an upload into library ${libraryId} was aborted by the client; the partial file was removed`);
      return new BadRequestException(error.message);
    }
    if (['ENOSPC', 'EDQUOT'].includes(errorCode(error) ?? ''))
      return new HttpException({ detail: 'The library folder has no space left for this file' }, 507);
    return error;
  }
}

function tooLarge(maxBytes: number): UploadRejection {
  return new UploadRejection(413, `The file is larger than the upload limit of ${maxBytes} bytes (${UPLOAD_MAX_BYTES_ENV})`);
}

function clientGone(req: Request): boolean {
  return !req.complete && (req.destroyed || req.socket?.destroyed === true);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/**
 * The folder the file goes in, made one level at a time (so nothing is ever created through a
 * symlink that leads outside) and checked by real path at every level.
 */
async function targetDirectory(root: string, segments: string[], created: string[]): Promise<string> {
  let current = root;
  for (const segment of segments) {
    const next = join(current, segment);
    try {
      await mkdir(next);
      created.push(next);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const real = await realpath(next).catch(() => undefined);
    if (!real || !isInside(root, real))
      throw new UploadRejection(400, `"${toPosix(relative(root, next))}" leads outside the library folder (a symlink); upload elsewhere`);
    if (!(await stat(real)).isDirectory()) throw new UploadRejection(400, `"${toPosix(relative(root, next))}" exists and is not a folder`);
    current = real;
  }
  return current;
}

/** Reads at least `bytes` (or the whole stream when shorter) and leaves the stream paused for the rest. */
function readHead(stream: Readable, bytes: number, signal: AbortSignal): Promise<{ data: Buffer; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (ended: boolean) => {
      cleanup();
      resolve({ data: Buffer.concat(chunks, length), ended });
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= bytes) {
        stream.pause();
        done(false);
      }
    };
    const onEnd = () => done(true);
    const onError = (error: Error) => {
      cleanup();
      reject(signal.aborted ? signal.reason : error);
    };
    const onClose = () => onError(new ClientAbortedError());
    const onAbort = () => {
      cleanup();
      reject(signal.reason);
    };
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    if (signal.aborted) return reject(signal.reason);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const DRAINING = Symbol('marquee.upload.draining');

/**
 * After a refusal the client may still be sending: read and drop the rest so it gets the answer on
 * a healthy connection, but not forever — past DRAIN_MAX_BYTES or DRAIN_TIMEOUT_MS the connection is
 * closed (once the answer has gone out).
 */
function discardBody(req: Request & { [DRAINING]?: boolean }): void {
  if (req.complete || req.destroyed || req[DRAINING]) return;
  req[DRAINING] = true;
  req.unpipe();
  let dropped = 0;
  const close = () => {
    const res = req.res;
    if (!res || res.writableFinished) req.destroy();
    else res.once('finish', () => req.destroy());
  };
  const timer = setTimeout(close, DRAIN_TIMEOUT_MS);
  timer.unref();
  const onData = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_MAX_BYTES) {
      req.off('data', onData);
      req.pause();
      close();
    }
  };
  req.on('data', onData);
  req.once('close', () => clearTimeout(timer));
  req.resume();
}
