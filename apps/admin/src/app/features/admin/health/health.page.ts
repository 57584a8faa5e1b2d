import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject } from '@angular/core';
import { HEALTH_ROUTES, type ReadinessView, type SystemStatus } from '@marquee/contracts';
import { Api } from '../../../core/api.service';
import { ApiError } from '../../../logic/api-error.js';
import { formatDuration, formatRelative } from '../../../logic/format.js';
import { ResourceState } from '../../../logic/resource-state.js';
import { StatusMessage } from '../../../ui/status-message.component';

const REFRESH_MS = 10_000;

/** Readiness (`/readyz`, every check) and system status (version, backends, workers, counts). */
@Component({
  selector: 'mq-health-page',
  imports: [StatusMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Health</h1>
    <section aria-labelledby="ready-title">
      <h2 id="ready-title">Readiness</h2>
      <mq-status [loading]="ready.loading() && !ready.value()" [error]="ready.error()" />
      @if (ready.value(); as r) {
        <p class="overall" [attr.data-status]="r.status" role="status">
          {{ r.status === 'ok' ? 'Ready: every check passes.' : 'Not ready: ' + failing().join(', ') }}
        </p>
        <table>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Status</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            @for (check of checks(); track check.name) {
              <tr>
                <td>{{ check.name }}</td>
                <td [class.down]="check.status !== 'up'">{{ check.status }}</td>
                <td>{{ check.detail }}</td>
              </tr>
            }
          </tbody>
        </table>
      }
    </section>
    <section aria-labelledby="system-title">
      <h2 id="system-title">System</h2>
      <mq-status [loading]="system.loading() && !system.value()" [error]="system.error()" />
      @if (system.value(); as s) {
        <dl class="facts">
          <dt>Version</dt>
          <dd>{{ s.name }} {{ s.version }}</dd>
          <dt>Up for</dt>
          <dd>{{ uptime(s.uptimeSeconds) }}</dd>
          <dt>Database</dt>
          <dd>{{ s.backends.database }}</dd>
          <dt>Queues on</dt>
          <dd>{{ s.backends.queue }}</dd>
          <dt>Counts</dt>
          <dd>{{ s.counts.users }} users · {{ s.counts.libraries }} libraries · {{ s.counts.items }} items · {{ s.counts.jobs }} jobs</dd>
        </dl>
        <h3>Workers</h3>
        <mq-status [empty]="s.workers.length === 0" emptyText="No worker has reported in: background jobs will not run." />
        <ul>
          @for (w of s.workers; track w.id) {
            <li>
              <strong [class.down]="!w.alive">{{ w.alive ? 'alive' : 'silent' }}</strong> {{ w.hostname }} (pid {{ w.pid }},
              {{ w.version }}) · seen
              {{ ago(w.lastSeenAt) }}
              @for (c of workerChecks(w.checks); track c[0]) {
                <span class="check" [class.down]="c[1].status !== 'up'">{{ c[0] }}: {{ c[1].status }}</span>
              }
            </li>
          }
        </ul>
      }
    </section>
  `,
  styles: `
    .overall[data-status='ok'] {
      color: var(--mq-ok);
      font-weight: 700;
    }
    .overall:not([data-status='ok']),
    .down {
      color: var(--mq-error);
      font-weight: 700;
    }
    .facts {
      display: grid;
      grid-template-columns: 8rem 1fr;
      gap: 0.25rem 1rem;
    }
    dd {
      margin: 0;
    }
    .check {
      margin-left: 0.5rem;
      font-size: 0.85rem;
    }
    table {
      max-width: 50rem;
    }
  `,
})
export class HealthPage {
  private readonly api = inject(Api);
  protected readonly ready = new ResourceState<ReadinessView>();
  protected readonly system = new ResourceState<SystemStatus>();
  protected readonly ago = formatRelative;
  protected readonly checks = computed(() =>
    Object.entries(this.ready.value()?.details ?? {}).map(([name, c]) => ({
      name,
      status: c.status,
      detail:
        c.message ??
        Object.entries(c)
          .filter(([k]) => k !== 'status')
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join(', '),
    })),
  );
  protected readonly failing = computed(() =>
    this.checks()
      .filter((c) => c.status !== 'up')
      .map((c) => c.name),
  );

  constructor() {
    this.refresh();
    const timer = setInterval(() => this.refresh(), REFRESH_MS);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  private refresh(): void {
    // A failing check answers 503 with the same JSON: show it rather than an error.
    void this.ready.load(() =>
      this.api.getAbsolute<ReadinessView>(`/${HEALTH_ROUTES.readiness}`).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 503 && typeof error.body === 'object' && error.body)
          return error.body as ReadinessView;
        throw error;
      }),
    );
    void this.system.load(() => this.api.get('system/status'));
  }

  protected uptime(seconds: number): string {
    return formatDuration(seconds * 1000);
  }

  protected workerChecks(checks: Record<string, { status: 'up' | 'down'; message?: string }>) {
    return Object.entries(checks);
  }
}
