/** One fixed-window counter as a store sees it. */
export interface BucketState {
  /** Hits counted in the current window; 0 when no window is open. */
  count: number;
  /** Milliseconds until the current window ends; 0 when no window is open. */
  msLeft: number;
}

/** Where RateLimiter keeps its counters: Redis when configured, otherwise PostgreSQL. */
export interface RateLimitStore {
  /** Counts one hit, atomically; the first hit of a window starts a new one of `windowMs`. */
  hit(key: string, windowMs: number): Promise<BucketState>;
  get(key: string): Promise<BucketState>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}
