import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
];

/**
 * A real metadata server on loopback for the scraper tests (the real HTTP path, no mocked fetch):
 *
 * - `GET /search?q=` → `{results: [{id, title, release_year, summary}]}` (title contains q, case-insensitive)
 * - `GET /movies/:id` → `{movie: {...}}` with nested genres, cast, crew, ids and relative image paths
 * - `GET /items/:id` → the example plugin's remote shape (ScrapedMetadata with absolute artwork URLs)
 * - `GET /images/alien-poster.png`, `/images/alien-backdrop.jpg` → generated pictures
 * - `GET /images/not-an-image.jpg` → text; `GET /huge` → 30 MiB of bytes; `GET /slow` → never answers
 * - `GET /redirect?to=<url>` → 302 to the URL; `GET /loop` → 302 to itself; `GET /garbage` → not JSON
 */
export async function startMetadataServer(): Promise<MetadataServer> {
  const poster = await sharp({ create: { width: 600, height: 900, channels: 3, background: '#3366aa' } })
    .png()
    .toBuffer();
  const backdrop = await sharp({ create: { width: 1280, height: 720, channels: 3, background: '#222222' } })
    .jpeg()
    .toBuffer();
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  let base = '';

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
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
    if (url.pathname === '/huge') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(1024 * 1024, 7);
      let sent = 0;
      const pump = () => {
        while (sent < 30 && res.write(chunk)) sent++;
        if (sent >= 30) res.end();
        else res.once('drain', pump);
      };
      res.on('close', () => (sent = 30));
      return pump();
    }
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
