import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import { pino, type Logger as Pino } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { type AccessLog, accessLog } from './http-logging.middleware.js';
import { requestContext } from './request-context.js';

const NEST_TO_PINO: Record<NestLogLevel, pino.Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

export function createPino(config: Pick<AppConfig, 'logLevel'>, processName: string, destination?: pino.DestinationStream): Pino {
  return pino(
    {
      level: config.logLevel,
      base: { process: processName, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
      // Every line written while serving a request names it.
      mixin: () => {
        const context = requestContext.getStore();
        return context?.requestId ? { requestId: context.requestId } : {};
      },
    },
    destination ?? pino.destination(1),
  );
}

/**
 * Nest's logger interface on top of pino: JSON lines, one per call, with the Nest context
 * (the class that logged) and the request id when there is one.
 */
export class PinoLoggerService implements LoggerService {
  constructor(readonly pino: Pino) {}

  private access?: AccessLog;

  /** The access log of HTTP requests: one per process, shared by Express and a request lane. */
  get accessLog(): AccessLog {
    return (this.access ??= accessLog(this.pino));
  }

  private write(level: NestLogLevel, message: unknown, params: unknown[]): void {
    const target = this.pino[NEST_TO_PINO[level]].bind(this.pino);
    const context = typeof params.at(-1) === 'string' ? (params.pop() as string) : undefined;
    const stack = level === 'error' && typeof params[0] === 'string' ? (params.shift() as string) : undefined;
    const fields: Record<string, unknown> = { ...(context ? { context } : {}), ...(stack ? { stack } : {}) };
    if (message instanceof Error) target({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) target({ ...fields, ...(message as object) });
    else target(fields, String(message));
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
}
