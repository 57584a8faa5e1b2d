import { createHash } from 'node:crypto';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ENCODER_VERSION, SEGMENT_SECONDS, TIMESTAMP_BASE_SECONDS } from '../hls.constants.js';
import type { Rendition } from '../planning/ladder.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const VARIANT_KEY = /^[0-9a-f-]{36}\/(1080p|720p|480p|360p|240p|audio)-a(\d{1,4}|none)-[0-9a-f]{12}$/;

export interface VariantIdentity {
  fileId: string;
  fileSize: number;
  fileMtime: Date;
  videoStreamIndex: number | null;
  audioStreamIndex: number | null;
  rendition: Rendition;
  /** A film in parts: each later part's id, size and mtime, so replacing any part never reuses old segments. */
  laterParts?: string[];
}

/**
 * Where a variant's segments are cached: `<fileId>/<rendition>-a<audio>-<hash>`. The hash covers the
 * file's size and mtime and every encoding setting, so a replaced file or new settings never reuse
 * old segments. Built only from database ids, allowlisted names and integers.
 */
export function variantKey(identity: VariantIdentity): string {
  if (!UUID.test(identity.fileId)) throw new Error(`Not a file id: ${JSON.stringify(identity.fileId)}`);
  const hash = createHash('sha256')
    .update(
      JSON.stringify({
        ...identity,
        fileMtime: identity.fileMtime.getTime(),
        segmentSeconds: SEGMENT_SECONDS,
        base: TIMESTAMP_BASE_SECONDS,
        version: ENCODER_VERSION,
      }),
    )
    .digest('hex')
    .slice(0, 12);
  const audio = identity.audioStreamIndex === null ? 'none' : String(identity.audioStreamIndex);
  const key = `${identity.fileId}/${identity.rendition.name}-a${audio}-${hash}`;
  if (!VARIANT_KEY.test(key)) throw new Error(`Refusing variant key ${JSON.stringify(key)}`);
  return key;
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel !== '' && !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

/** The transcode folders under `<dataDir>/transcodes`: `cache/` (published segments) and `sessions/` (ffmpeg's work). */
export class HlsPaths {
  readonly root: string;
  readonly cacheRoot: string;
  readonly sessionsRoot: string;

  constructor(dataDir: string) {
    this.root = resolve(dataDir, 'transcodes');
    this.cacheRoot = join(this.root, 'cache');
    this.sessionsRoot = join(this.root, 'sessions');
  }

  variantDir(key: string): string {
    if (!VARIANT_KEY.test(key)) throw new Error(`Not a variant key: ${JSON.stringify(key)}`);
    return this.inside(this.cacheRoot, join(this.cacheRoot, ...key.split('/')));
  }

  segmentFile(key: string, index: number): string {
    if (!Number.isSafeInteger(index) || index < 0) throw new Error(`Not a segment number: ${JSON.stringify(index)}`);
    return this.inside(this.cacheRoot, join(this.variantDir(key), `${index}.ts`));
  }

  sessionDir(transcodeId: string): string {
    if (!UUID.test(transcodeId)) throw new Error(`Not a transcode id: ${JSON.stringify(transcodeId)}`);
    return this.inside(this.sessionsRoot, join(this.sessionsRoot, transcodeId));
  }

  private inside(root: string, path: string): string {
    if (!isInside(root, path)) throw new Error(`Refusing a path outside ${root}: ${path}`);
    return path;
  }
}

export const isTranscodeId = (value: string) => UUID.test(value);
