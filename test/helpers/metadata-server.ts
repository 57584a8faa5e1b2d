import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface MetadataServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  host: string;
  port: number;
  requests: RecordedRequest[];
  /** When set, search and detail routes answer 401 unless `X-Api-Key` carries it. */
  apiKey?: string;
  close(): Promise<void>;
}

interface Film {
  id: string;
  title: string;
  original_title?: string;
  release_year: number;
  released?: string;
  summary: string;
  tagline?: string;
  genres: { name: string }[];
  companies: string[];
  rating: number;
  certification?: string;
  cast: { name: string; character: string }[];
  crew: { directors: { name: string }[] };
  ids: { imdb?: string; tmdb?: string };
  images: { poster?: string; backdrop?: string };
}

const FILMS: Film[] = [
  {
    id: 'm-348',
    title: 'Alien',
    original_title: 'Alien',
    release_year: 1979,
    released: '1979-05-25',
    summary: 'A distress call, a derelict ship, and a stowaway.',
    tagline: 'In space no one can hear you scream.',
    genres: [{ name: 'Horror' }, { name: 'Science Fiction' }],
    companies: ['Brandywine Productions', '20th Century Fox'],
    rating: 8.5,
    certification: 'R',
    cast: [
      { name: 'Sigourney Weaver', character: 'Ellen Ripley' },
      { name: 'Yaphet Kotto', character: 'Parker' },
    ],
    crew: { directors: [{ name: 'Ridley Scott' }] },
    ids: { imdb: 'tt0078748', tmdb: '348' },
    images: { poster: '/images/alien-poster.png', backdrop: '/images/alien-backdrop.jpg' },
  },
  {
    id: 'm-8077',
    title: 'Alien³',
    release_year: 1992,
    summary: 'Ripley crash-lands on a prison planet.',
    genres: [{ name: 'Horror' }],
    companies: [],
    rating: 6.4,
    cast: [{ name: 'Sigourney Weaver', character: 'Ellen Ripley' }],
    crew: { directors: [{ name: 'David Fincher' }] },
    ids: { imdb: 'tt0103644' },
    images: {},
  },
  {
    id: 'm-900',
    title: 'Oversized Cut',
    release_year: 2001,
    summary: 'Its pictures are bigger than any server should download.',
    genres: [],
    companies: [],
    rating: 5,
    cast: [],
    crew: { directors: [] },
    ids: {},
    images: { poster: '/images/oversized-declared.jpg', backdrop: '/images/oversized-chunked.jpg' },
  },
  {
    id: 'm-901',
    title: 'Pixel Flood',
    release_year: 2002,
    summary: 'A tiny file that unpacks into a vast picture, and a picture wider than 4K.',
    genres: [],
    companies: [],
    rating: 5,
    cast: [],
    crew: { directors: [] },
    ids: {},
    images: { poster: '/images/pixel-bomb.png', backdrop: '/images/wide.jpg' },
  },
];

/** Bytes of the oversized pictures: just past the 20 MiB artwork cap. */
export const OVERSIZED_PICTURE_BYTES = 20 * 1024 * 1024 + 1;
export const PIXEL_BOMB_SIZE = 16_000;
export const WIDE_PICTURE = { width: 6000, height: 2400 };

/** A valid 1-bit greyscale PNG of 16000×16000 blank pixels: 256 megapixels in about 30 KB. */
function pixelBombPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(PIXEL_BOMB_SIZE, 0);
  header.writeUInt32BE(PIXEL_BOMB_SIZE, 4);
  header[8] = 1; // bit depth; colour type, compression, filter and interlace stay 0
  const rows = Buffer.alloc((1 + Math.ceil(PIXEL_BOMB_SIZE / 8)) * PIXEL_BOMB_SIZE);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A real metadata server on loopback for the scraper tests (the real HTTP path, no mocked fetch):
 *
 * - `GET /search?q=` → `{results: [{id, title, release_year, summary}]}` (title contains q, case-insensitive)
 * - `GET /movies/:id` → `{movie: {...}}` with nested genres, cast, crew, ids and relative image paths
 * - `GET /items/:id` → the example plugin's remote shape (ScrapedMetadata with absolute artwork URLs)
 * - `GET /images/alien-poster.png`, `/images/alien-backdrop.jpg` → generated pictures
 * - `GET /images/not-an-image.jpg` → text; `GET /images/pixel-bomb.png` → 16000×16000 in ~30 KB;
 *   `GET /images/wide.jpg` → 6000×2400; `GET /images/oversized-declared.jpg`, `/images/oversized-chunked.jpg` →
 *   20 MiB + 1 byte, with and without a content-length
 * - `GET /huge` → 30 MiB of bytes, chunked (`?declared` sends a content-length); `GET /slow` → never answers
 * - `GET /redirect?to=<url>` → 302 to the URL; `GET /loop` → 302 to itself; `GET /garbage` → not JSON
 */
export async function startMetadataServer(): Promise<MetadataServer> {
  const poster = await sharp({ create: { width: 600, height: 900, channels: 3, background: '#3366aa' } })
    .png()
    .toBuffer();
  const backdrop = await sharp({ create: { width: 1280, height: 720, channels: 3, background: '#222222' } })
    .jpeg()
    .toBuffer();
  const wide = await sharp({ create: { ...WIDE_PICTURE, channels: 3, background: '#884422' } })
    .jpeg()
    .toBuffer();
  const bomb = pixelBombPng();
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  let base = '';

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  /** `bytes` of filler, chunked or with a content-length, written as fast as the client reads. */
  const stream = (res: ServerResponse, bytes: number, declared: boolean, contentType: string) => {
    res.writeHead(200, { 'content-type': contentType, ...(declared ? { 'content-length': bytes } : {}) });
    const chunk = Buffer.alloc(1024 * 1024, 7);
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => (left = 0));
    pump();
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    requests.push({ method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, headers: req.headers });
    const needsKey = /^\/(search|movies|items)\b/.test(url.pathname);
    if (needsKey && state.apiKey && req.headers['x-api-key'] !== state.apiKey) return json(res, 401, { error: 'bad api key' });
    let match: RegExpExecArray | null;
    if (url.pathname === '/search') {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const results = FILMS.filter((film) => film.title.toLowerCase().includes(q)).map((film) => ({
        id: film.id,
        title: film.title,
        release_year: film.release_year,
        summary: film.summary,
      }));
      return json(res, 200, { results, total: results.length });
    }
    if ((match = /^\/movies\/([^/]+)$/.exec(url.pathname))) {
      const film = FILMS.find((candidate) => candidate.id === decodeURIComponent(match![1]));
      return film ? json(res, 200, { movie: film }) : json(res, 404, { error: 'not found' });
    }
    if ((match = /^\/items\/([^/]+)$/.exec(url.pathname))) {
      const film = FILMS.find((candidate) => candidate.id === decodeURIComponent(match![1]));
      if (!film) return json(res, 404, { error: 'not found' });
      return json(res, 200, {
        title: film.title,
        year: film.release_year,
        overview: film.summary,
        genres: film.genres.map((genre) => genre.name),
        studios: film.companies,
        people: film.cast.map((person) => ({ name: person.name, character: person.character, role: 'actor' })),
        providerIds: film.ids,
        artwork: film.images.poster ? [{ kind: 'poster', url: `${base}${film.images.poster}` }] : [],
      });
    }
    if (url.pathname === '/images/alien-poster.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(poster);
    }
    if (url.pathname === '/images/alien-backdrop.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      return res.end(backdrop);
    }
    if (url.pathname === '/images/not-an-image.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      return res.end('this is not a picture');
    }
    if (url.pathname === '/images/pixel-bomb.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(bomb);
    }
    if (url.pathname === '/images/wide.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      return res.end(wide);
    }
    if (url.pathname === '/images/oversized-declared.jpg' || url.pathname === '/images/oversized-chunked.jpg') {
      const declared = url.pathname.endsWith('declared.jpg');
      return stream(res, OVERSIZED_PICTURE_BYTES, declared, 'image/jpeg');
    }
    if (url.pathname === '/huge') return stream(res, 30 * 1024 * 1024, url.searchParams.has('declared'), 'application/octet-stream');
    if (url.pathname === '/slow') {
      open.add(res);
      return;
    }
    if (url.pathname === '/redirect') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
      return res.end();
    }
    if (url.pathname === '/loop') {
      res.writeHead(302, { location: '/loop' });
      return res.end();
    }
    if (url.pathname === '/garbage') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('<html>not json</html>');
    }
    json(res, 404, { error: 'no such route' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  const state: MetadataServer = {
    url: base,
    host: '127.0.0.1',
    port,
    requests,
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return state;
}
