import fc from 'fast-check';
import { SseParser } from './sse-parser.js';

const STREAM =
  'retry: 3000\n\n' +
  ': ping\n\n' +
  'id: 41\nevent: job\ndata: {"id":"a","state":"active"}\n\n' +
  'id: 42\nevent: queue\ndata: {"name":"media-probe",\ndata: "paused":true}\n\n' +
  'data:no space\r\n\r\n';

describe('SseParser', () => {
  it('parses events, multi-line data, comments, ids and retry', () => {
    const parser = new SseParser();
    const events = parser.push(STREAM);
    expect(events).toEqual([
      { id: '41', event: 'job', data: '{"id":"a","state":"active"}' },
      { id: '42', event: 'queue', data: '{"name":"media-probe",\n"paused":true}' },
      { id: null, event: 'message', data: 'no space' },
    ]);
    expect(parser.retryMs).toBe(3000);
    expect(parser.lastEventId).toBe('42');
  });

  it('gives the same events however the stream is cut into chunks', () => {
    const whole = new SseParser().push(STREAM);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const parser = new SseParser();
        const events = [];
        let from = 0;
        for (const at of [...points, STREAM.length]) {
          events.push(...parser.push(STREAM.slice(from, at)));
          from = at;
        }
        expect(events).toEqual(whole);
      }),
    );
  });

  it('holds an event back until its blank line arrives', () => {
    const parser = new SseParser();
    expect(parser.push('id: 7\nevent: job\ndata: x\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ id: '7', event: 'job', data: 'x' }]);
  });
});
