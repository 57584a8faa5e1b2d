import { Injectable } from '@nestjs/common';
import { AppConfig } from '@marquee/core';

/**
 * A per-process cap on concurrent heavy jobs (ffmpeg, sharp) across all queues, on top of each
 * queue's own concurrency, so a low-power host is never asked to run eight encoders at once.
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

  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.running >= this.limit) {
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
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; otherwise it is freed.
      if (next) next();
      else this.running--;
    }
  }
}
