import { ChangeDetectionStrategy, Component, input } from '@angular/core';

/** Loading, empty and error states, announced to screen readers. */
@Component({
  selector: 'mq-status',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (error()) {
      <p class="error" role="alert">{{ error() }}</p>
    } @else if (loading()) {
      <p class="loading" role="status" aria-live="polite">Loading…</p>
    } @else if (empty()) {
      <p class="empty" role="status">{{ emptyText() }}</p>
    }
  `,
  styles: `
    p {
      margin: 1rem 0;
    }
    .error {
      color: var(--mq-error);
      font-weight: 600;
    }
    .loading,
    .empty {
      color: var(--mq-muted);
    }
  `,
})
export class StatusMessage {
  readonly loading = input(false);
  readonly error = input<string | null>(null);
  readonly empty = input(false);
  readonly emptyText = input('Nothing here yet.');
}
