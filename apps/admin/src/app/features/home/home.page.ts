import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';

/** Shape of the @nestjs/terminus health check result served by GET /readyz. */
interface HealthIndicatorResult {
  [name: string]: { status: 'up' | 'down'; message?: string; [key: string]: unknown };
}
interface ReadyzResponse {
  status: 'ok' | 'error' | 'shutting_down';
  info?: HealthIndicatorResult;
  error?: HealthIndicatorResult;
  details?: HealthIndicatorResult;
}

type ReadyState = { kind: 'loading' } | { kind: 'ready' } | { kind: 'failing'; checks: string[] } | { kind: 'unreachable'; reason: string };

function isReadyzResponse(value: unknown): value is ReadyzResponse {
  return typeof value === 'object' && value !== null && 'status' in value;
}

function toState(body: ReadyzResponse): ReadyState {
  if (body.status === 'ok') return { kind: 'ready' };
  const failing = Object.entries(body.error ?? body.details ?? {})
    .filter(([, check]) => check.status !== 'up')
    .map(([name, check]) => (check.message ? `${name} (${check.message})` : name));
  return { kind: 'failing', checks: failing.length ? failing : [body.status] };
}

@Component({
  selector: 'mq-home-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <main class="home">
      <h1>Marquee</h1>
      <p>Your media server is running. The full client arrives with its own release.</p>
      <p class="status" role="status" aria-live="polite" [attr.data-state]="state().kind">
        <span class="label">Server status:</span>
        {{ statusText() }}
      </p>
    </main>
  `,
  styles: `
    .home {
      max-width: 40rem;
      margin: 0 auto;
      padding: 4rem 1.5rem;
    }
    h1 {
      margin: 0 0 0.5rem;
      font-size: clamp(2rem, 6vw, 3rem);
      color: var(--mq-accent);
    }
    .status {
      color: var(--mq-muted);
    }
    .label {
      font-weight: 600;
    }
    .status[data-state='ready'] {
      color: var(--mq-ok);
    }
    .status[data-state='failing'],
    .status[data-state='unreachable'] {
      color: var(--mq-error);
    }
  `,
})
export class HomePage {
  private readonly http = inject(HttpClient);

  protected readonly state = signal<ReadyState>({ kind: 'loading' });

  protected readonly statusText = computed(() => {
    const state = this.state();
    switch (state.kind) {
      case 'loading':
        return 'Checking…';
      case 'ready':
        return 'Ready';
      case 'failing':
        return `Not ready: ${state.checks.join(', ')}`;
      case 'unreachable':
        return `Unreachable (${state.reason})`;
    }
  });

  constructor() {
    const sub = this.http.get<ReadyzResponse>('/readyz').subscribe({
      next: (body) => this.state.set(toState(body)),
      error: (err: unknown) => {
        // A 503 from terminus still carries the health JSON in the error body.
        if (err instanceof HttpErrorResponse && isReadyzResponse(err.error)) {
          this.state.set(toState(err.error));
        } else {
          const reason = err instanceof HttpErrorResponse ? err.status || 'network error' : 'unknown error';
          this.state.set({ kind: 'unreachable', reason: String(reason) });
        }
      },
    });
    inject(DestroyRef).onDestroy(() => sub.unsubscribe());
  }
}
