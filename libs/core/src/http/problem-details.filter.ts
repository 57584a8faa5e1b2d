import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails } from '@marquee/contracts';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { PROBLEM_TYPE_BASE } from './problem.js';

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
}

function slug(status: number): string {
  return (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/**
 * Turns every error into RFC 9457 problem+json. Known HTTP errors keep their status and message;
 * anything else is a 500 whose detail names the request id, with the stack logged but never sent.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { id?: string }>();
    const res = ctx.getResponse<Response>();
    const problem = this.toProblem(exception, req);
    if (problem.status >= 500) {
      const error = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(`${req.method} ${req.originalUrl?.split('?')[0]} failed: ${error.message}`, error.stack);
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown, req: Request & { id?: string }): ProblemDetails {
    const base = { instance: req.originalUrl?.split('?')[0], requestId: req.id };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const fromBody = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      const message = fromBody.detail ?? fromBody.message ?? (typeof body === 'string' ? body : exception.message);
      let detail = Array.isArray(message) ? message.join('; ') : String(message);
      const cause = (exception as { cause?: { type?: string } }).cause;
      if (cause instanceof SyntaxError && (cause as { type?: string }).type === 'entity.parse.failed') {
        detail = `The request body is not valid JSON (${cause.message})`;
      }
      return {
        type: typeof fromBody.type === 'string' ? fromBody.type : `${PROBLEM_TYPE_BASE}${slug(status)}`,
        title: STATUS_CODES[status] ?? 'Error',
        status,
        detail: status === HttpStatus.NOT_FOUND && /^Cannot [A-Z]+ /.test(detail) ? `No route for ${req.method} ${base.instance}` : detail,
        ...base,
        ...(Array.isArray(fromBody.errors) ? { errors: fromBody.errors as ProblemDetails['errors'] } : {}),
      };
    }
    // Errors from other middleware may carry a 4xx status of their own (http-errors).
    const httpLike = (exception ?? {}) as HttpLikeError;
    const status = httpLike.status ?? httpLike.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500 && httpLike.expose !== false) {
      const detail = httpLike.message ?? STATUS_CODES[status] ?? 'Bad request';
      return { type: `${PROBLEM_TYPE_BASE}${slug(status)}`, title: STATUS_CODES[status] ?? 'Error', status, detail, ...base };
    }
    return {
      type: `${PROBLEM_TYPE_BASE}internal-server-error`,
      title: 'Internal Server Error',
      status: 500,
      detail: `An unexpected error occurred${req.id ? `; quote request id ${req.id} when reporting it` : ''}`,
      ...base,
    };
  }
}
