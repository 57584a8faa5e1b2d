import { parsePluginLine } from './plugin-protocol.js';

describe('parsePluginLine', () => {
  it('reads the four message types', () => {
    expect(parsePluginLine('{"type":"log","message":"hi"}')).toEqual({ type: 'log', level: 'info', message: 'hi' });
    expect(parsePluginLine('{"type":"log","level":"warn","message":"careful"}')).toEqual({
      type: 'log',
      level: 'warn',
      message: 'careful',
    });
    expect(parsePluginLine('{"type":"fetch","id":"1","url":"https://x.org/"}')).toEqual({
      type: 'fetch',
      id: '1',
      url: 'https://x.org/',
      headers: {},
    });
    expect(parsePluginLine('{"type":"result","data":null}')).toEqual({ type: 'result', data: null });
    expect(parsePluginLine('{"type":"error","message":"no"}')).toEqual({ type: 'error', message: 'no' });
  });

  it('says what is wrong with anything else', () => {
    expect(() => parsePluginLine('Hello')).toThrow('printed a line that is not JSON: "Hello"');
    expect(() => parsePluginLine('x'.repeat(500))).toThrow(`printed a line that is not JSON: "${'x'.repeat(120)}…"`);
    expect(() => parsePluginLine('[1,2]')).toThrow('printed JSON that is not a message object: "[1,2]"');
    expect(() => parsePluginLine('42')).toThrow('printed JSON that is not a message object');
    expect(() => parsePluginLine('{"type":"shout"}')).toThrow('sent a message of unknown type "shout"');
    expect(() => parsePluginLine('{"data":1}')).toThrow('sent a message of unknown type undefined');
    expect(() => parsePluginLine('{"type":"result"}')).toThrow('sent a result message without "data"');
    expect(() => parsePluginLine('{"type":"log","level":"loud","message":"x"}')).toThrow('sent a log message with an unknown level "loud"');
    expect(() => parsePluginLine('{"type":"fetch","id":1,"url":"x"}')).toThrow('sent a fetch message without a string "id" and "url"');
    expect(() => parsePluginLine('{"type":"fetch","id":"1","url":"x","headers":{"a":1}}')).toThrow('"headers" is not an object of strings');
  });
});
