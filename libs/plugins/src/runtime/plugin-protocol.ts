/**
 * The JSON-lines protocol between the server and a plugin process, one JSON object per line.
 *
 * server → plugin (stdin):
 *   {"type":"call","protocol":1,"method":"identify"|"scrape","params":{…},"settings":{…}}
 *   {"type":"fetch-result","id":"…","status":200,"contentType":"application/json","body":"…"}  or  {"type":"fetch-result","id":"…","error":"…"}
 * plugin → server (stdout):
 *   {"type":"log","level":"info"|"warn"|"error","message":"…"}       any number
 *   {"type":"fetch","id":"…","url":"https://…","headers":{…}}          the server fetches it (permitted hosts only)
 *   {"type":"result","data":…}  or  {"type":"error","message":"…"}    exactly one, last
 * Anything else on stdout fails the run. stderr is kept for error reports only.
 */
export const PROTOCOL_VERSION = 1;

export interface CallMessage {
  type: 'call';
  protocol: number;
  method: string;
  params: Record<string, unknown>;
  settings: Record<string, string | number | boolean>;
}

export type PluginMessage =
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'fetch'; id: string; url: string; headers: Record<string, string> }
  | { type: 'result'; data: unknown }
  | { type: 'error'; message: string };

export type FetchReply = { type: 'fetch-result'; id: string } & (
  { status: number; contentType: string | null; body: string } | { error: string }
);

const preview = (text: string) => JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);

/** Parses one stdout line; throws an Error whose message says what was wrong with it. */
export function parsePluginLine(line: string): PluginMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`printed a line that is not JSON: ${preview(line)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`printed JSON that is not a message object: ${preview(line)}`);
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'log': {
      const level = message.level ?? 'info';
      if (level !== 'info' && level !== 'warn' && level !== 'error')
        throw new Error(`sent a log message with an unknown level ${JSON.stringify(level)}`);
      return { type: 'log', level, message: String(message.message ?? '') };
    }
    case 'fetch': {
      if (typeof message.id !== 'string' || typeof message.url !== 'string')
        throw new Error('sent a fetch message without a string "id" and "url"');
      const headers = message.headers ?? {};
      if (
        typeof headers !== 'object' ||
        headers === null ||
        Array.isArray(headers) ||
        Object.values(headers).some((v) => typeof v !== 'string')
      )
        throw new Error('sent a fetch message whose "headers" is not an object of strings');
      return { type: 'fetch', id: message.id, url: message.url, headers: headers as Record<string, string> };
    }
    case 'result':
      if (!('data' in message)) throw new Error('sent a result message without "data"');
      return { type: 'result', data: message.data };
    case 'error':
      return { type: 'error', message: String(message.message ?? 'no message') };
    default:
      throw new Error(`sent a message of unknown type ${JSON.stringify(message.type)}: ${preview(line)}`);
  }
}
