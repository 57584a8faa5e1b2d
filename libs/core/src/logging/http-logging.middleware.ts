import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger as Pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { requestContext } from './request-context.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** A client's X-Request-Id is kept when it is well-formed; otherwise a new one is made. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** Starts the access log of a request: its id (kept or made, and sent back), and one line when it ends. */
export type AccessLog = (req: IncomingMessage, res: ServerResponse) => void;

export function accessLog(logger: Pino): AccessLog {
  const log = pinoHttp({
    logger,
    genReqId: requestId,
    autoLogging: { ignore: (req) => QUIET_PATHS.has((req.url ?? '').split('?')[0]) },
    customAttributeKeys: { reqId: 'requestId' },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ method: req.method, url: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
  return (req, res) => log(req, res);
}

/** One access-log line per request, and the request id in the context of everything it logs. */
export function httpLogging(log: AccessLog) {
  return (req: Request, res: Response, next: NextFunction) => {
    log(req, res);
    requestContext.run({ requestId: String(req.id) }, next);
  };
}
