/**
 * Runs at most one token refresh at a time: every caller that hits a 401 while a refresh is under way
 * waits for that same refresh instead of starting its own (a refresh token works once, so two
 * parallel refreshes would end the session).
 */
export class RefreshGate<T> {
  private running: Promise<T> | null = null;

  constructor(private readonly refresh: () => Promise<T>) {}

  get busy(): boolean {
    return this.running !== null;
  }

  run(): Promise<T> {
    if (!this.running) {
      this.running = this.refresh().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }
}

/** What the interceptor does with a response status. */
export type AuthFailureAction = 'pass' | 'refresh-and-retry' | 'sign-out';

/**
 * A 401 on an ordinary request refreshes once and retries; a 401 on a request that was already a
 * retry, or on the auth routes themselves, signs out. Everything else passes through.
 */
export function actionFor(status: number, url: string, alreadyRetried: boolean): AuthFailureAction {
  if (status !== 401) return 'pass';
  if (/\/auth\/(login|register|refresh)(\?|$)/.test(url)) return 'pass';
  return alreadyRetried ? 'sign-out' : 'refresh-and-retry';
}
