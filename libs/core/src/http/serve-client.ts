import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { projectRoot } from '../config/project-root.js';

const SERVER_PATHS = /^\/(api|healthz|readyz|metrics)(\/|$)/;

export function clientDir(): string {
  return join(projectRoot(), 'dist', 'admin', 'browser');
}

/**
 * Serves the built Angular client at `/`: hashed assets cached for a year, and index.html for any
 * other GET that asks for HTML outside the server's own paths, so deep links work.
 */
export function serveClient(app: NestExpressApplication): boolean {
  const dir = clientDir();
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return false;
  const assets = express.static(dir, {
    index: false,
    setHeaders: (res, path) =>
      res.setHeader('Cache-Control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable'),
  });
  // The server's own paths never look for a file on disk first (a stat per API call otherwise).
  app.use((req: Request, res: Response, next: NextFunction) => (SERVER_PATHS.test(req.path) ? next() : assets(req, res, next)));
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || SERVER_PATHS.test(req.path) || !req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return true;
}
