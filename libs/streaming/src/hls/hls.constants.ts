/** Every segment but the last lasts this long; forced keyframes sit on its multiples. */
export const SEGMENT_SECONDS = 4;

/**
 * Output timestamps start here rather than at 0 (as Apple's segmenter does): a stream starting at 0
 * has negative decode timestamps (B-frames, AAC priming) that the muxer would shift in the first
 * run only, so a transcode started at 0 and one restarted by a seek would disagree by a frame.
 */
export const TIMESTAMP_BASE_SECONDS = 10;

/** A transcode nobody asked a segment from for this long stops, and its work files go. */
export const IDLE_LEASE_MS = 30_000;

/** How often a worker proves a transcode alive (and learns whether it should stop). */
export const HEARTBEAT_MS = 500;

/** A running transcode whose heartbeat is older than this is taken for dead (its worker crashed). */
export const HEARTBEAT_STALE_MS = 5_000;

/** A segment request waits at most this long (hls.js gives up on a first byte after 10 s). */
export const SEGMENT_WAIT_MS = 7_000;

/** A request this many segments past what a transcode has made waits for it; further is a seek. */
export const AHEAD_SEGMENTS = 3;

/**
 * A transcode ends once it is this many segments past the furthest one asked for (a minute ahead,
 * twice what hls.js buffers): the worker's heavy-job slot is free for other viewers in between,
 * and the next request past the cache starts a new one well before the player needs it.
 */
export const RUN_AHEAD_SEGMENTS = 15;

/** One run of ffmpeg covers at most this many segments (bounds its command line and its lifetime). */
export const MAX_RUN_SEGMENTS = 1_500;

/** A user's transcode of an item that user stopped asking for this long, while asking for another one, is stopped. */
export const NEGLECTED_MS = SEGMENT_SECONDS * 1000;

/** The segment cache is trimmed to this size (least recently used first) and loses segments unused this long. */
export const SEGMENT_CACHE_MAX_BYTES = 10 * 1024 ** 3;
export const SEGMENT_CACHE_MAX_AGE_HOURS = 48;

/** Bumped whenever the encoding settings change, so old cached segments are never mixed with new ones. */
export const ENCODER_VERSION = 2;
