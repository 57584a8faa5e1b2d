import type { QueueName } from '@marquee/contracts';

export interface QueuePolicy {
  /** Tries before a job is failed for good (retries back off exponentially). */
  attempts: number;
  /** Parallel jobs per worker process, until an admin changes it. */
  concurrency: number;
  /** Runs ffmpeg/sharp: also bounded by the worker's global cap on heavy jobs. */
  heavy: boolean;
}

export const QUEUE_POLICIES: Record<QueueName, QueuePolicy> = {
  'library-scan': { attempts: 3, concurrency: 1, heavy: false },
  'media-probe': { attempts: 3, concurrency: 4, heavy: true },
  fingerprint: { attempts: 3, concurrency: 2, heavy: false },
  thumbnail: { attempts: 3, concurrency: 2, heavy: true },
  trickplay: { attempts: 2, concurrency: 1, heavy: true },
  'audio-tags': { attempts: 3, concurrency: 4, heavy: false },
  'audio-waveform': { attempts: 2, concurrency: 2, heavy: true },
  'extract-subtitles': { attempts: 3, concurrency: 2, heavy: true },
  'hls-transcode': { attempts: 2, concurrency: 2, heavy: true },
  'metadata-import': { attempts: 3, concurrency: 2, heavy: false },
  'plugin-run': { attempts: 2, concurrency: 2, heavy: false },
  'library-maintenance': { attempts: 3, concurrency: 2, heavy: false },
};

/** BullMQ runs lower numbers first. Interactive work (a user waiting) jumps ahead of backfills. */
export const JOB_PRIORITY = { interactive: 1, normal: 5, bulk: 10 } as const;
export type JobPriority = keyof typeof JOB_PRIORITY;

export const RETRY_BACKOFF = { type: 'exponential', delay: 5000 } as const;

/**
 * Worker options for every processor. A worker that dies (kill -9, power loss) holds its jobs' locks
 * for at most `lockDuration`; the stalled-job check then hands them to another worker.
 */
export const WORKER_OPTIONS = { lockDuration: 10_000, stalledInterval: 10_000, maxStalledCount: 2 } as const;
