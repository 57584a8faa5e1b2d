import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { writeBody } from './body-writer.js';

/** A client that takes one write at a time and acknowledges it only when told to, recording what it holds. */
class SlowClient extends Writable {
  received: Buffer[] = [];
  pending: (() => void)[] = [];
  /** Writes issued and not yet acknowledged, whether taken by _write or still queued in the stream. */
  unacknowledged = 0;
  mostUnacknowledged = 0;
  overwrittenBeforeAck = 0;

  constructor() {
    super({ highWaterMark: 1 });
    const write = this.write.bind(this) as (...args: unknown[]) => boolean;
    this.write = ((...args: unknown[]) => {
      this.unacknowledged++;
      this.mostUnacknowledged = Math.max(this.mostUnacknowledged, this.unacknowledged);
      return write(...args);
    }) as Writable['write'];
  }

  /** The chunks as handed over (not copies), with what each held then: a socket reads them until it acknowledges. */
  handedOver: { chunk: Buffer; copy: Buffer }[] = [];

  /** Chunks whose memory changed between being handed over and acknowledged. */
  get overwritten(): number {
    return this.handedOver.filter(({ chunk, copy }) => !chunk.equals(copy)).length;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // A copy: the writer may reuse its buffer once the callback ran.
    this.received.push(Buffer.from(chunk));
    const handed = { chunk, copy: Buffer.from(chunk) };
    this.handedOver.push(handed);
    this.pending.push(() => {
      // Checked at the acknowledgement; after it the chunk is the writer's again.
      if (!handed.chunk.equals(handed.copy)) this.overwrittenBeforeAck++;
      this.handedOver.splice(this.handedOver.indexOf(handed), 1);
      this.unacknowledged--;
      callback();
    });
  }

  acknowledge(): boolean {
    const next = this.pending.shift();
    next?.();
    return next !== undefined;
  }
}

describe('writeBody', () => {
  let dir: string;
  let path: string;
  const file = randomBytes(10_000);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'marquee-body-writer-'));
    path = join(dir, 'file.bin');
    writeFileSync(path, file);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function drain(client: SlowClient, done: Promise<void>): Promise<void> {
    let finished = false;
    const settle = () => (finished = true);
    done.then(settle, settle);
    while (!finished) {
      client.acknowledge();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await done;
  }

  it('writes ranges and framing in order, byte for byte, in chunks of at most chunkSize', async () => {
    const handle = await open(path, 'r');
    try {
      const client = new SlowClient();
      const pieces = [
        Buffer.from('<head>'),
        { start: 100, end: 3099 },
        Buffer.from('<mid>'),
        { start: 0, end: 0 },
        { start: 9990, end: 9999 },
        Buffer.from('<end>'),
      ];
      await drain(client, writeBody(handle, client, pieces, 1024));
      const expected = Buffer.concat([
        Buffer.from('<head>'),
        file.subarray(100, 3100),
        Buffer.from('<mid>'),
        file.subarray(0, 1),
        file.subarray(9990),
        Buffer.from('<end>'),
      ]);
      expect(Buffer.concat(client.received).equals(expected)).toBe(true);
      expect(Math.max(...client.received.map((chunk) => chunk.length))).toBeLessThanOrEqual(1024);
    } finally {
      await handle.close();
    }
  });

  it('never has more than one chunk waiting on a slow client', async () => {
    const handle = await open(path, 'r');
    try {
      const client = new SlowClient();
      const done = writeBody(handle, client, [{ start: 0, end: 9999 }], 500);
      // Without an acknowledgement the writer waits after the first chunk.
      const deadline = Date.now() + 5000;
      while (client.unacknowledged < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(client.received).toHaveLength(1);
      await drain(client, done);
      expect(client.mostUnacknowledged).toBe(1);
      expect(Buffer.concat(client.received).equals(file)).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it('rejects when the client goes away, and when it was gone already', async () => {
    const handle = await open(path, 'r');
    try {
      const client = new SlowClient();
      const done = writeBody(handle, client, [{ start: 0, end: 9999 }], 500);
      while (client.unacknowledged < 1) await new Promise((resolve) => setTimeout(resolve, 10));
      client.destroy();
      await expect(done).rejects.toThrow('the client went away');
      await expect(writeBody(handle, client, [{ start: 0, end: 9 }], 500)).rejects.toThrow('the client went away');
    } finally {
      await handle.close();
    }
  });

  it('rejects when the file is shorter than the range (it shrank after the stat)', async () => {
    const short = join(dir, 'short.bin');
    writeFileSync(short, file);
    const handle = await open(short, 'r');
    try {
      truncateSync(short, 5000);
      const client = new SlowClient();
      await expect(drain(client, writeBody(handle, client, [{ start: 0, end: 9999 }], 1024))).rejects.toThrow(
        'the file ended 5000 bytes early',
      );
    } finally {
      await handle.close();
    }
  });

  it('never changes a chunk a client has not acknowledged: not for a response beside it, nor after one that failed', async () => {
    const handle = await open(path, 'r');
    try {
      // A response whose client went away with a write outstanding.
      const gone = new SlowClient();
      const failed = writeBody(handle, gone, [{ start: 0, end: 9999 }], 4096);
      while (gone.unacknowledged < 1) await new Promise((resolve) => setTimeout(resolve, 10));
      gone.destroy();
      await expect(failed).rejects.toThrow('the client went away');

      // One that finished, so that a chunk of that size waits for reuse.
      const finished = new SlowClient();
      await drain(finished, writeBody(handle, finished, [{ start: 0, end: 9999 }], 4096));

      // Two responses at once, acknowledged in turns, with the chunk size the others used.
      const a = new SlowClient();
      const b = new SlowClient();
      const both = Promise.all([
        writeBody(handle, a, [{ start: 0, end: 9999 }], 4096),
        writeBody(
          handle,
          b,
          [
            { start: 5000, end: 9999 },
            { start: 0, end: 4999 },
          ],
          4096,
        ),
      ]);
      let settled = false;
      both.then(
        () => (settled = true),
        () => (settled = true),
      );
      while (!settled) {
        a.acknowledge();
        await new Promise((resolve) => setImmediate(resolve));
        b.acknowledge();
        await new Promise((resolve) => setImmediate(resolve));
      }
      await both;
      expect(Buffer.concat(a.received).equals(file)).toBe(true);
      expect(Buffer.concat(b.received).equals(Buffer.concat([file.subarray(5000), file.subarray(0, 5000)]))).toBe(true);
      expect(a.overwrittenBeforeAck + b.overwrittenBeforeAck).toBe(0);
      // The failed response's outstanding chunk was not handed to either of them.
      expect(gone.overwritten).toBe(0);
    } finally {
      await handle.close();
    }
  });
});
