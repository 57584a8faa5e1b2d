import { Injectable, inject } from '@angular/core';
import { SseParser, type SseMessage } from '../logic/sse-parser.js';
import { apiUrl } from './api.service';
import { AuthService } from './auth.service';

export type StreamState = 'connecting' | 'open' | 'closed';

const DEFAULT_RETRY_MS = 3000;

/**
 * The dashboard's live feed: `GET /api/v1/events` (Server-Sent Events) read with fetch, since
 * EventSource cannot send the Authorization header. It reconnects after the server's `retry:` delay
 * with Last-Event-ID, so nothing is missed, and refreshes the access token when it is refused.
 */
@Injectable({ providedIn: 'root' })
export class JobEventsService {
  private readonly auth = inject(AuthService);

  /** Starts listening; the returned function stops. */
  listen(onEvent: (message: SseMessage) => void, onState: (state: StreamState) => void = () => undefined): () => void {
    const abort = new AbortController();
    const parser = new SseParser();
    const wait = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });

    const run = async () => {
      while (!abort.signal.aborted) {
        onState('connecting');
        try {
          const headers: Record<string, string> = { Accept: 'text/event-stream' };
          const token = this.auth.accessToken();
          if (token) headers['Authorization'] = `Bearer ${token}`;
          if (parser.lastEventId) headers['Last-Event-ID'] = parser.lastEventId;
          const response = await fetch(apiUrl('events'), { headers, signal: abort.signal, cache: 'no-store' });
          if (response.status === 401) {
            if (!(await this.auth.refresh())) {
              this.auth.expire();
              break;
            }
            continue;
          }
          if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
          onState('open');
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            for (const message of parser.push(value)) onEvent(message);
          }
        } catch {
          // Network failure or abort: reconnect below unless stopped.
        }
        if (abort.signal.aborted) break;
        onState('connecting');
        await wait(parser.retryMs ?? DEFAULT_RETRY_MS);
      }
      onState('closed');
    };
    void run();
    return () => abort.abort();
  }
}
