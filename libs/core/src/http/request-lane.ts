import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AppConfig } from '../config/app-config.js';
import type { AccessLog } from '../logging/http-logging.middleware.js';
import { type RequestContext, requestContext } from '../logging/request-context.js';
import { HSTS, staticSecurityHeaders } from './security.js';

/** The Express app: a request listener with its settings. */
export type ExpressLike = RequestListener & { get(setting: string): unknown };

/**
 * A kind of request answered ahead of Express, for routes hit so often that the framework's per-request
 * work (middleware, routing, guards, pipes) costs more than the answer: players ask for byte ranges many
 * times a second. The module that has one installs it with installRequestLane at bootstrap.
 */
export interface RequestLane {
  /**
   * Answers the request and resolves true; or resolves false without having touched `res`, and the app
   * answers it as usual (with its own checks and errors). `prepare` must be called before the first
   * header is set: it gives the response what every response of the app gets — a request id, its
   * access-log line and the security headers.
   */
  handle(req: IncomingMessage, res: ServerResponse, prepare: () => void): Promise<boolean>;
}

/** Express's `req.protocol`: the socket's, or X-Forwarded-Proto's first value when the peer is a trusted proxy. */
function protocolOf(req: IncomingMessage, trustProxy: (address: string | undefined, hop: number) => boolean): string {
  const own = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  if (!trustProxy(req.socket.remoteAddress, 0)) return own;
  const forwarded = req.headers['x-forwarded-proto'];
  const value = typeof forwarded === 'string' ? forwarded : own;
  return value.split(',')[0].trim();
}

/**
 * Puts `lane` ahead of Express (`express`, the server's only request listener). Requests the lane
 * declines, and cross-origin requests when CORS is on (their headers are the cors middleware's to
 * decide), go to Express unchanged.
 */
export function installRequestLane(server: Server, express: ExpressLike, config: AppConfig, accessLog: AccessLog, lane: RequestLane): void {
  const listeners = server.listeners('request');
  if (listeners.length !== 1 || listeners[0] !== express)
    throw new Error('a request lane goes ahead of Express, the only request listener');
  const trustProxy = express.get('trust proxy fn') as (address: string | undefined, hop: number) => boolean;
  const security = staticSecurityHeaders();
  const cors = config.corsOrigins.length > 0;

  const prepare = (req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of security) res.setHeader(name, value);
    if (protocolOf(req, trustProxy) === 'https') res.setHeader('Strict-Transport-Security', HSTS);
    if (cors) res.setHeader('Vary', 'Origin');
    accessLog(req, res);
  };

  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (cors && req.headers.origin !== undefined) return express(req, res);
    // Like Express's requests, everything logged while answering names the request (its id is known once prepared).
    const context: RequestContext = { requestId: '' };
    const prepareThis = () => {
      prepare(req, res);
      context.requestId = String((req as IncomingMessage & { id?: unknown }).id);
    };
    requestContext
      .run(context, () => lane.handle(req, res, prepareThis))
      .then(
        (answered) => {
          if (!answered) express(req, res);
        },
        () => {
          if (!res.headersSent) express(req, res);
          else res.destroy();
        },
      );
  });
}
