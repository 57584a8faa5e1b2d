export const HEARTBEAT_INTERVAL_MS = 10_000;
/** A worker not heard from for this long is reported as not alive. */
export const HEARTBEAT_ALIVE_WINDOW_MS = 3 * HEARTBEAT_INTERVAL_MS;
/** Heartbeats of workers gone for this long are forgotten. */
export const HEARTBEAT_RETENTION_MS = 24 * 3600 * 1000;
