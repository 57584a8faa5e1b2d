import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';
import { StreamTokenAuthenticator } from '@marquee/auth/tokens/stream-token-authenticator.js';
import type { RequestLane } from '@marquee/core';
import { DirectStreamService } from './direct-stream.service.js';
import { fastPathTarget } from './fast-path-target.js';
import { answerFileRequest, type OpenedFile, openFile, writeFileAnswer } from './file-response.js';

/**
 * Direct play by signed URL, answered ahead of Express: a player asks for ranges many times a second,
 * and the framework's per-request work cost more CPU than the bytes. It answers only the plain, valid
 * case — the same token check as the guard, the same catalogue lookup, the same RFC 9110 answer — and
 * declines everything else before touching the response: other shapes of request, a bad token, a file
 * that is gone, a 412 or a 416. The full route then gives its usual answer and problem+json error.
 */
@Injectable()
export class DirectStreamLane implements RequestLane {
  constructor(
    private readonly direct: DirectStreamService,
    private readonly streamTokens: StreamTokenAuthenticator,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, prepare: () => void): Promise<boolean> {
    const target = fastPathTarget({ method: req.method ?? '', originalUrl: req.url ?? '', headers: req.headers });
    if (!target) return false;
    let opened: OpenedFile | undefined;
    try {
      if (!(await this.streamTokens.authenticate(target.token, target.itemId))) return false;
      const file = await this.direct.fileToSend(target.itemId, target.part);
      opened = await openFile(file);
      const answer = answerFileRequest({ method: req.method!, headers: req.headers }, opened.stats, file);
      if (answer.kind === 'refuse') return false;
      prepare();
      await writeFileAnswer(res, opened.handle, answer);
      return true;
    } catch {
      // Nothing written yet: the full route answers (a 404, a 500) as it always does.
      if (!res.headersSent) return false;
      if (!res.writableEnded) res.destroy();
      return true;
    } finally {
      await opened?.handle.close();
    }
  }
}
