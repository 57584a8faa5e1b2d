import { ChangeDetectionStrategy, Component, ElementRef, afterNextRender, inject, input, output } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { JobDetailView } from '@marquee/contracts';
import { formatDuration } from '../../../logic/format.js';
import { StatusMessage } from '../../../ui/status-message.component';

/** A job's details beside the table: error, stack, logs, progress, attempts, payload, timings. */
@Component({
  selector: 'mq-job-drawer',
  imports: [RouterLink, StatusMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(keydown.escape)': 'closed.emit()' },
  template: `
    <aside class="drawer" role="dialog" aria-modal="false" aria-labelledby="job-drawer-title" tabindex="-1">
      <header>
        <h2 id="job-drawer-title">{{ detail()?.name ?? 'Job' }}</h2>
        <button type="button" class="link" (click)="closed.emit()" aria-label="Close the job details">✕</button>
      </header>
      <mq-status [loading]="loading() && !detail()" [error]="error()" />
      @if (detail(); as job) {
        <p class="meta">
          <span class="state" [attr.data-state]="job.state">{{ job.state }}</span>
          <code>{{ job.id }}</code>
        </p>
        <div class="actions">
          @if (job.state === 'failed' || job.state === 'cancelled') {
            <button type="button" (click)="retry.emit(job.id)">Retry</button>
          }
          @if (job.state === 'queued' || job.state === 'active') {
            <button type="button" class="danger" (click)="cancel.emit(job.id)">Cancel</button>
          }
          @if (job.targetType === 'item' && job.targetId) {
            <a [routerLink]="['/items', job.targetId]">Open the item</a>
          }
        </div>
        <dl class="facts">
          <dt>Queue</dt>
          <dd>{{ job.queue }}</dd>
          <dt>Target</dt>
          <dd>{{ job.targetLabel || job.targetId || '–' }}</dd>
          <dt>Attempts</dt>
          <dd>{{ job.attempts }} of {{ job.maxAttempts }}</dd>
          <dt>Progress</dt>
          <dd>
            <progress max="100" [value]="job.progress" aria-label="Progress"></progress> {{ job.progress }}%
            {{ job.progressMessage }}
          </dd>
          <dt>Waited</dt>
          <dd>{{ ms(job.timings.queuedMs) }}</dd>
          <dt>Ran</dt>
          <dd>{{ ms(job.timings.runMs) }}</dd>
          <dt>Worker</dt>
          <dd>{{ job.workerId || '–' }}</dd>
        </dl>
        @if (job.error) {
          <h3>Error</h3>
          <p class="error-text" data-testid="job-error">{{ job.error }}</p>
        }
        @if (job.stack) {
          <details>
            <summary>Stack</summary>
            <pre>{{ job.stack }}</pre>
          </details>
        }
        <h3>Log ({{ job.logs.length }})</h3>
        @if (job.logs.length) {
          <ol class="logs">
            @for (line of job.logs; track $index) {
              <li [attr.data-level]="line.level">
                <time>{{ time(line.at) }}</time> {{ line.message }}
              </li>
            }
          </ol>
        } @else {
          <p class="muted">No log lines.</p>
        }
        <details>
          <summary>Payload</summary>
          <pre>{{ json(job.payload) }}</pre>
        </details>
        @if (job.result) {
          <details>
            <summary>Result</summary>
            <pre>{{ json(job.result) }}</pre>
          </details>
        }
      }
    </aside>
  `,
  styles: `
    .drawer {
      position: fixed;
      top: 0;
      right: 0;
      bottom: 0;
      width: min(34rem, 100vw);
      background: var(--mq-bg);
      border-left: 1px solid color-mix(in srgb, var(--mq-fg) 25%, transparent);
      box-shadow: -8px 0 24px rgb(0 0 0 / 20%);
      padding: 1rem;
      overflow-y: auto;
      z-index: 15;
    }
    header {
      display: flex;
      justify-content: space-between;
      align-items: center;
    }
    h2 {
      margin: 0;
      font-size: 1.2rem;
    }
    .meta {
      display: flex;
      gap: 0.5rem;
      align-items: center;
      word-break: break-all;
    }
    .actions {
      display: flex;
      gap: 0.5rem;
      align-items: center;
    }
    .facts {
      display: grid;
      grid-template-columns: 7rem 1fr;
      gap: 0.25rem 0.75rem;
    }
    dt {
      color: var(--mq-muted);
    }
    dd {
      margin: 0;
    }
    pre {
      white-space: pre-wrap;
      word-break: break-word;
      font-size: 0.8rem;
      background: color-mix(in srgb, var(--mq-fg) 6%, transparent);
      padding: 0.5rem;
      border-radius: 6px;
    }
    .logs {
      font-family: ui-monospace, monospace;
      font-size: 0.8rem;
      padding-left: 1.5rem;
    }
    .logs [data-level='error'] {
      color: var(--mq-error);
    }
    .logs [data-level='warn'] {
      color: #b45309;
    }
    .state[data-state='failed'] {
      color: var(--mq-error);
      font-weight: 700;
    }
  `,
})
export class JobDrawer {
  readonly detail = input<JobDetailView | null>(null);
  readonly loading = input(false);
  readonly error = input<string | null>(null);
  readonly closed = output();
  readonly retry = output<string>();
  readonly cancel = output<string>();

  constructor() {
    const host = inject<ElementRef<HTMLElement>>(ElementRef);
    afterNextRender(() => host.nativeElement.querySelector<HTMLElement>('.drawer')?.focus());
  }

  protected ms(value: number | null): string {
    return value === null ? '–' : value < 1000 ? `${value} ms` : formatDuration(value);
  }

  protected time(iso: string): string {
    return new Date(iso).toLocaleTimeString();
  }

  protected json(value: unknown): string {
    return JSON.stringify(value, null, 2);
  }
}
