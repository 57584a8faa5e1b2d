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

  constructor() {
    super({ highWaterMark: 1 });
    const write = this.write.bind(this) as (...args: unknown[]) => boolean;
    this.write = ((...args: unknown[]) => {
      this.unacknowledged++;
      this.mostUnacknowledged = Math.max(this.mostUnacknowledged, this.unacknowledged);
      return write(...args);
    }) as Writable['write'];
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // A copy: the writer may reuse its buffer once the callback ran.
    this.received.push(Buffer.from(chunk));
    this.pending.push(() => {
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
});
