import { Injectable } from '@nestjs/common';
import { AppConfig } from '@marquee/core';

/**
 * A per-process cap on concurrent heavy jobs (ffmpeg, sharp) across all queues, on top of each
 * queue's own concurrency, so a low-power host is never asked to run eight encoders at once.
 * Interactive work (a playback transcode, a subtitle someone is waiting for) is not held back by
 * background work: it starts at once and counts against the cap, so the backlog waits for it.
 */
@Injectable()
export class HeavyJobLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly config: AppConfig) {}

  get limit(): number {
    return this.config.maxHeavyJobs;
  }

  get active(): number {
    return this.running;
  }

  async run<T>(work: () => Promise<T>, signal?: AbortSignal, options: { interactive?: boolean } = {}): Promise<T> {
    if (options.interactive) {
      this.running++;
    } else if (this.running >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          this.waiting.splice(this.waiting.indexOf(wake), 1);
          reject(signal?.reason ?? new Error('aborted'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(wake);
      });
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter while the cap allows; otherwise it is freed.
      const next = this.running <= this.limit ? this.waiting.shift() : undefined;
      if (next) next();
      else this.running--;
    }
  }
}
