// The least a Node process can do to answer a range request for one file: node:http, no framework,
// no auth, no database; per request an open, a stat and a read stream (what Express's `send` does),
// closed at the end. Started by bench/stream-range.mjs as a ceiling for Node next to nginx:
// `node bench/lib/bare-range-server.mjs <port> <file>`.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';

const [port, file] = [Number(process.argv[2]), process.argv[3]];
const RANGE = /^bytes=(\d+)-(\d+)$/;

http
  .createServer(async (req, res) => {
    try {
      const { size } = await stat(file);
      const match = RANGE.exec(req.headers.range ?? '');
      const start = match ? Number(match[1]) : 0;
      const end = match ? Math.min(Number(match[2]), size - 1) : size - 1;
      res.writeHead(match ? 206 : 200, {
        'Accept-Ranges': 'bytes',
        'Content-Type': 'video/x-matroska',
        'Content-Length': end - start + 1,
        ...(match ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
      });
      createReadStream(file, { start, end })
        .on('error', () => res.destroy())
        .pipe(res);
    } catch {
      res.writeHead(500).end();
    }
  })
  .listen(port, '127.0.0.1');
