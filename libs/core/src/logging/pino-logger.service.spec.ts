import { Writable } from 'node:stream';
import { createPino, PinoLoggerService } from './pino-logger.service.js';
import { requestContext } from './request-context.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: new PinoLoggerService(createPino({ logLevel: 'debug' }, 'api', stream)) };
}

describe('PinoLoggerService', () => {
  it('writes one JSON line per call with level, process, Nest context and the request id', () => {
    const { lines, logger } = capture();
    requestContext.run({ requestId: 'req-42' }, () => logger.log('library scanned', 'LibraryService'));
    logger.warn('outside a request');
    expect(lines[0]).toMatchObject({ level: 30, process: 'api', context: 'LibraryService', requestId: 'req-42', msg: 'library scanned' });
    expect(typeof lines[0].time).toBe('string');
    expect(lines[1]).toMatchObject({ level: 40, msg: 'outside a request' });
    expect(lines[1]).not.toHaveProperty('requestId');
  });

  it('keeps error stacks and Error objects as structured fields', () => {
    const { lines, logger } = capture();
    logger.error('probe failed', 'Error: boom\n    at probe', 'ProbeProcessor');
    logger.error(new Error('kaput'));
    expect(lines[0]).toMatchObject({ level: 50, msg: 'probe failed', stack: 'Error: boom\n    at probe', context: 'ProbeProcessor' });
    expect(lines[1]).toMatchObject({ level: 50, msg: 'kaput', err: { message: 'kaput', type: 'Error' } });
  });

  it('respects the level', () => {
    const { lines, logger } = capture();
    logger.verbose('too chatty');
    logger.debug('debug is on');
    expect(lines.map((l) => l.msg)).toEqual(['debug is on']);
  });
});
