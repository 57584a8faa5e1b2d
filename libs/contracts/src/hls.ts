/** HLS transcoded on demand: the renditions a master playlist may list and the job the api hands the workers. */

/** Every rendition name a URL may carry; an item's ladder is the subset its source allows (never upscaled). */
export const HLS_RENDITIONS = ['1080p', '720p', '480p', '360p', '240p', 'audio'] as const;
export type HlsRendition = (typeof HLS_RENDITIONS)[number];

export function isHlsRendition(value: unknown): value is HlsRendition {
  return typeof value === 'string' && (HLS_RENDITIONS as readonly string[]).includes(value);
}

/** Payload of an `hls-transcode` job: everything else comes from the database row. */
export interface HlsTranscodeJobPayload {
  transcodeId: string;
}

/** Answer of `DELETE stream/:itemId/hls`. */
export interface HlsStopResult {
  /** Transcodes that ended at once (no other viewer was using them). */
  stopped: number;
  /** Transcodes the caller left that other viewers still use. */
  left: number;
}
