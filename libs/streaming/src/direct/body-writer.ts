import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { ByteRange } from './byte-ranges.js';

/** What a response body is made of: bytes of the file, and literal framing between them. */
export type BodyPiece = ByteRange | Buffer;

class ClientGone extends Error {}

/**
 * Writes `pieces` to `out`, reading file ranges from `handle` in chunks of at most `chunkSize` bytes.
 *
 * One buffer per response, reused: the next chunk is read into it only once the socket has taken the
 * previous one (the write callback; the kernel's socket buffer keeps the connection busy meanwhile).
 * So a response holds one chunk however slow its client (backpressure). A response that ends well
 * leaves its buffer to the next (up to 16 MiB of them are kept), so busy streaming allocates almost
 * nothing: no garbage for the collector, no fresh pages to fault in.
 *
 * Resolves when every byte was handed to the socket, without ending `out`. Rejects with ClientGone
 * when the client went away, or when the file ends before a range does (a file that shrank under
 * us): then `out` must be destroyed, never ended short of its Content-Length.
 */
export async function writeBody(handle: FileHandle, out: Writable, pieces: readonly BodyPiece[], chunkSize: number): Promise<void> {
  const largest = Math.max(0, ...pieces.map((piece) => (Buffer.isBuffer(piece) ? 0 : piece.end - piece.start + 1)));
  const pooled = takeChunk(chunkSize);
  const buffer = pooled.subarray(0, Math.min(chunkSize, largest));

  let onClose: () => void = () => undefined;
  const gone = new Promise<never>((_, reject) => {
    onClose = () => reject(new ClientGone('the client went away'));
  });
  gone.catch(() => undefined);
  if (out.destroyed) throw new ClientGone('the client went away');
  out.once('close', onClose);

  const written = (data: Buffer) =>
    Promise.race([
      new Promise<void>((resolve, reject) => {
        out.write(data, (error) => (error ? reject(new ClientGone(error.message)) : resolve()));
      }),
      gone,
    ]);

  try {
    for (const piece of pieces) {
      if (Buffer.isBuffer(piece)) {
        await written(piece);
        continue;
      }
      for (let position = piece.start; position <= piece.end;) {
        const length = Math.min(buffer.length, piece.end + 1 - position);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        if (bytesRead === 0) throw new Error(`the file ended ${piece.end + 1 - position} bytes early`);
        await written(buffer.subarray(0, bytesRead));
        position += bytesRead;
      }
    }
  } finally {
    out.off('close', onClose);
  }
  // Only after every write was acknowledged: a failed response may still have one in flight.
  giveBackChunk(pooled);
}

/** Chunks of finished responses, kept for the next ones (no allocation, no fresh pages, less GC). */
const spareChunks = new Map<number, Buffer[]>();
const MAX_SPARE_BYTES = 16 * 1024 * 1024;
let spareBytes = 0;

function takeChunk(size: number): Buffer {
  const spare = spareChunks.get(size)?.pop();
  if (spare) {
    spareBytes -= size;
    return spare;
  }
  return Buffer.allocUnsafeSlow(size);
}

function giveBackChunk(chunk: Buffer): void {
  if (spareBytes + chunk.length > MAX_SPARE_BYTES) return;
  const list = spareChunks.get(chunk.length) ?? [];
  list.push(chunk);
  spareChunks.set(chunk.length, list);
  spareBytes += chunk.length;
}
