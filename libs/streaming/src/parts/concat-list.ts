import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** A file ffmpeg reads, with its probed duration. */
export interface PartSource {
  path: string;
  durationMs: number;
}

/** The name of the concat list of a film's parts, written beside ffmpeg's output before it starts. */
export const PARTS_LIST_FILE = 'parts.ffconcat';

/**
 * ffconcat's list of a film's parts, each with its probed duration so a seek lands in the right part
 * without opening the others. Names are quoted, a quote written as `'\''`; `file:` keeps a name from
 * being read as another protocol.
 */
export function concatList(sources: readonly PartSource[]): string {
  // A line break in a name would start a directive of its own in the list.
  const unlisted = sources.find((source) => /[\r\n\0]/.test(source.path));
  if (unlisted) throw new Error(`A file name with a line break cannot be read as a part: ${JSON.stringify(unlisted.path)}`);
  const quoted = (path: string) => `'file:${path.replaceAll("'", "'\\''")}'`;
  return [
    'ffconcat version 1.0',
    ...sources.flatMap((source) => [`file ${quoted(source.path)}`, `duration ${(source.durationMs / 1000).toFixed(3)}`]),
    '',
  ].join('\n');
}

/**
 * ffmpeg's input options for a video in one file or in parts: the file itself, or the concat demuxer
 * over `listPath`, where the caller writes concatList(parts) first. Either way the streams are the
 * first part's (`0:<index>` means the same stream), on one continuous timeline.
 */
export function partsInput(parts: readonly PartSource[], listPath: string): string[] {
  if (parts.length === 0) throw new Error('no file to read');
  if (parts.length === 1) return ['-i', `file:${resolve(parts[0].path)}`];
  return ['-f', 'concat', '-safe', '0', '-i', `file:${resolve(listPath)}`];
}

/** partsInput for `parts`, with the concat list written into `folder` when there is more than one part. */
export async function preparePartsInput(parts: readonly PartSource[], folder: string): Promise<string[]> {
  const listPath = join(folder, PARTS_LIST_FILE);
  if (parts.length > 1) await writeFile(listPath, concatList(parts));
  return partsInput(parts, listPath);
}
