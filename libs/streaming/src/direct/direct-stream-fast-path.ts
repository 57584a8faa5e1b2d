import { Injectable, type NestMiddleware } from '@nestjs/common';
import { StreamTokenAuthenticator } from '@marquee/auth/tokens/stream-token-authenticator.js';
import type { RequestWithPrincipal } from '@marquee/auth/principal.js';
import type { NextFunction, Request, Response } from 'express';
import { DirectStreamService } from './direct-stream.service.js';
import { fastPathTarget } from './fast-path-target.js';
import { sendFile } from './file-response.js';

/**
 * Direct play by signed URL without the framework's per-request machinery (guard, pipes, interceptors):
 * a player asks for ranges many times a second, and that machinery cost more CPU than the bytes. It
 * answers only the plain, valid case — the same token check as the guard, the same catalogue lookup,
 * the same `sendFile` — and hands every other request, and any failure before the response started,
 * to the normal route, which then gives its usual answer and problem+json error.
 */
@Injectable()
export class DirectStreamFastPath implements NestMiddleware {
  constructor(
    private readonly direct: DirectStreamService,
    private readonly streamTokens: StreamTokenAuthenticator,
  ) {}

  async use(req: Request & RequestWithPrincipal, res: Response, next: NextFunction): Promise<void> {
    const target = fastPathTarget(req);
    if (!target) return next();
    try {
      const principal = await this.streamTokens.authenticate(target.token, target.itemId);
      if (!principal) return next();
      const file = await this.direct.fileToSend(target.itemId, target.part);
      req.principal = principal;
      await sendFile(req, res, file);
    } catch {
      if (!res.headersSent) return next();
      // The client went away, or the file shrank under us: never end a body short of its Content-Length.
      if (!res.writableEnded) res.destroy();
    }
  }
}
