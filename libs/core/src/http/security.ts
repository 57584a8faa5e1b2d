import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { AppConfig } from '../config/app-config.js';

/**
 * The Angular build inlines critical CSS and loads the full stylesheet with
 * `<link media="print" onload="this.media='all'">`. That one handler is allowed by its hash
 * (script-src-attr 'unsafe-hashes' only admits attribute handlers whose exact text matches), so
 * no other inline script or handler runs. Without it the global stylesheet would never apply.
 */
export const ANGULAR_STYLESHEET_ONLOAD_HASH = "'sha256-MhtPZXr7+LpJUY5qtMutB+qWfQtMaPccfe7QXtCcEYc='";

/**
 * One policy for everything, /api/docs included: Swagger UI loads swagger-ui-bundle.js,
 * swagger-ui-standalone-preset.js and swagger-ui-init.js as same-origin files (no inline script),
 * needs only inline styles, and its online-validator badge (the one off-origin image) is not
 * rendered because Nest hands it the spec as an object.
 */
export const CONTENT_SECURITY_POLICY: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'unsafe-hashes'", ANGULAR_STYLESHEET_ONLOAD_HASH],
  // Angular component styles and Swagger UI's <style> blocks and style attributes.
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'media-src': ["'self'", 'blob:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

export const HSTS = 'max-age=31536000; includeSubDomains';

export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-Api-Key',
  'X-Request-Id',
  'X-Refresh-Token-Transport',
  'Range',
  'If-None-Match',
  'If-Range',
];

export const CORS_EXPOSED_HEADERS = [
  'Content-Range',
  'Accept-Ranges',
  'Content-Length',
  'ETag',
  'X-Request-Id',
  'Retry-After',
  'X-Audio-Bit-Depth',
  'X-Audio-Sample-Rate',
];

/** The headers helmet sets on every response (the same for every request). */
export function securityHeaders() {
  return helmet({
    // Only the directives above: helmet's defaults add upgrade-insecure-requests, which would
    // break a server reached over plain http on a LAN.
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    // Cross-origin pages may still read responses through CORS (CORP applies to no-cors loads only).
    crossOriginResourcePolicy: { policy: 'same-origin' },
    /*
     * strict-origin-when-cross-origin rather than no-referrer: with no-referrer browsers send
     * `Origin: null` on the client's own POST/PUT/DELETE requests, which would defeat Origin
     * checks against CSRF (the refresh cookie). Other sites still see only our origin, never a
     * path or query (library titles, tokens in stream URLs), and nothing at all over http.
     */
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    // Sent below, and only over TLS.
    strictTransportSecurity: false,
    xContentTypeOptions: true,
    xFrameOptions: { action: 'deny' },
  });
}

/**
 * The headers securityHeaders() sets, as a list: for a request answered ahead of Express (a request
 * lane), which must carry the same headers as every other response.
 */
export function staticSecurityHeaders(): [name: string, value: string][] {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string) => headers.set(name, value),
    removeHeader: (name: string) => headers.delete(name),
  };
  let called = false;
  securityHeaders()({} as IncomingMessage, recorder as unknown as ServerResponse, () => (called = true));
  if (!called) throw new Error('the security headers could not be recorded');
  return [...headers];
}

/**
 * Security headers, CORS, proxy trust and cookie parsing. Call before any other middleware so
 * that every response, errors and static files included, carries the headers.
 */
export function applySecurity(app: NestExpressApplication, config: AppConfig): void {
  // req.ip, req.protocol and req.secure believe X-Forwarded-* only from these peers.
  app.set('trust proxy', config.trustedProxies.length > 0 ? [...config.trustedProxies] : false);

  app.use(securityHeaders());
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.secure) res.setHeader('Strict-Transport-Security', HSTS);
    next();
  });

  if (config.corsOrigins.length > 0) {
    const allowed = new Set(config.corsOrigins);
    // Responses differ by Origin (ACAO or none), so caches must key on it, rejected origins included.
    app.use((_req: Request, res: Response, next: NextFunction) => {
      res.vary('Origin');
      next();
    });
    app.enableCors({
      // Exact match only; an unknown origin gets no CORS headers and is otherwise served as usual.
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: 600,
      optionsSuccessStatus: 204,
    });
  }

  app.use(cookieParser());
}
