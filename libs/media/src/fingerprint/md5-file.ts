import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The MD5 of a file as 32 lower-case hex digits, streamed in 1 MiB reads; aborting stops the read and closes the file. */
export async function md5File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024, signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
