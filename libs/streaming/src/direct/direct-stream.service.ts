import { basename } from 'node:path';
import { Injectable } from '@nestjs/common';
import { RecentLookups } from '@marquee/core';
import { contentTypeFor } from './content-types.js';
import type { FileToSend } from './file-response.js';
import { type PlayableFile, PlayableFiles } from './playable-files.js';

/** Music files tell players their real resolution, so a lossless chain can be set up before decoding. */
export function audioHeaders(file: Pick<PlayableFile, 'audio'>): Record<string, string> {
  const headers: Record<string, string> = {};
  if (file.audio?.bitDepth) headers['X-Audio-Bit-Depth'] = String(file.audio.bitDepth);
  if (file.audio?.sampleRate) headers['X-Audio-Sample-Rate'] = String(file.audio.sampleRate);
  return headers;
}

/**
 * How long the catalogue's answer for an item is reused by direct play. A player sends bursts of range
 * requests for one item; they share one lookup. The file itself is opened and stat'ed on every request.
 */
export const CATALOGUE_LOOKUP_TTL_MS = 1000;
const MAX_REMEMBERED_ITEMS = 10_000;

/** What `GET/HEAD stream/:itemId` sends: the item's file as found in the database, with its type and headers. */
@Injectable()
export class DirectStreamService {
  private readonly recent = new RecentLookups<PlayableFile>(CATALOGUE_LOOKUP_TTL_MS, MAX_REMEMBERED_ITEMS);

  constructor(private readonly files: PlayableFiles) {}

  async fileToSend(itemId: string, part = 1): Promise<FileToSend> {
    const file = await this.recent.get(`${itemId}/${part}`, () => this.files.resolve(itemId, part));
    return {
      path: file.path,
      contentType: contentTypeFor(file),
      headers: audioHeaders(file),
      fileName: basename(file.path),
      label: file.parts > 1 ? `Part ${file.part} of item ${itemId}` : `The file of item ${itemId}`,
    };
  }
}
