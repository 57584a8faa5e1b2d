import { ChangeDetectionStrategy, Component, computed, effect, input, output, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { JOB_STATES, type LibraryView, type QueueSummaryView } from '@marquee/contracts';
import { type FieldDraft, edited, isChange, settle, shownValue, untouched } from '../../../logic/field-draft.js';
import { formatDuration } from '../../../logic/format.js';

/** One queue: live counts, pause/resume, concurrency, retry of its failed jobs (and scans for library-scan). */
@Component({
  selector: 'mq-queue-card',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <article class="card" [attr.aria-labelledby]="'queue-' + queue().name" [attr.data-queue]="queue().name">
      <header>
        <h3 [id]="'queue-' + queue().name">{{ queue().name }}</h3>
        @if (queue().paused) {
          <span class="paused">paused</span>
        }
      </header>
      <dl class="counts">
        @for (state of states; track state) {
          <div [attr.data-count]="state">
            <dt>{{ state }}</dt>
            <dd>{{ queue().counts[state] }}</dd>
          </div>
        }
      </dl>
      <p class="muted small">
        Last hour: {{ queue().lastHour.completed }} done, {{ queue().lastHour.failed }} failed
        @if (queue().etaSeconds) {
          · drains in about {{ eta(queue().etaSeconds!) }}
        }
      </p>
      <div class="actions">
        @if (queue().paused) {
          <button type="button" class="secondary" (click)="resume.emit()" [attr.aria-label]="'Resume ' + queue().name">Resume</button>
        } @else {
          <button type="button" class="secondary" (click)="pause.emit()" [attr.aria-label]="'Pause ' + queue().name">Pause</button>
        }
        <button
          type="button"
          class="secondary"
          [disabled]="!queue().counts.failed"
          (click)="retryFailed.emit()"
          [attr.aria-label]="'Retry every failed job of ' + queue().name"
        >
          Retry failed
        </button>
        @if (queue().counts.failed) {
          <button type="button" class="link" (click)="showFailed.emit()" [attr.aria-label]="'Show failed jobs of ' + queue().name">
            Show failed
          </button>
        }
      </div>
      <form class="row" (ngSubmit)="submitLevel()">
        <label [for]="'conc-' + queue().name"
          >Concurrency <span class="visually-hidden">of {{ queue().name }}</span></label
        >
        <input
          [id]="'conc-' + queue().name"
          name="concurrency"
          type="number"
          min="1"
          max="64"
          [ngModel]="level()"
          (ngModelChange)="draft.set(edited($event))"
          (keydown.escape)="draft.set(untouched)"
        />
        <button type="submit" class="secondary" [disabled]="!canSet()" [attr.aria-label]="'Set the concurrency of ' + queue().name">
          Set
        </button>
      </form>
      @if (queue().name === 'library-scan' && libraries().length) {
        <form class="row" (ngSubmit)="libraryId && scan.emit(libraryId)">
          <label for="scan-library">Scan</label>
          <select id="scan-library" name="library" [(ngModel)]="libraryId">
            <option value="">Choose a library…</option>
            @for (l of libraries(); track l.id) {
              <option [value]="l.id">{{ l.name }}</option>
            }
          </select>
          <button type="submit" class="secondary" [disabled]="!libraryId">Run scan</button>
        </form>
      }
    </article>
  `,
  styles: `
    .card {
      border: 1px solid color-mix(in srgb, var(--mq-fg) 20%, transparent);
      border-radius: 8px;
      padding: 0.75rem;
    }
    header {
      display: flex;
      justify-content: space-between;
      align-items: center;
    }
    h3 {
      margin: 0;
      font-size: 1rem;
    }
    .paused {
      color: var(--mq-error);
      font-weight: 700;
      font-size: 0.85rem;
    }
    .counts {
      display: grid;
      grid-template-columns: repeat(5, 1fr);
      gap: 0.25rem;
      margin: 0.5rem 0;
    }
    .counts div {
      text-align: center;
    }
    dt {
      font-size: 0.7rem;
      color: var(--mq-muted);
    }
    dd {
      margin: 0;
      font-weight: 700;
      font-variant-numeric: tabular-nums;
    }
    [data-count='failed'] dd {
      color: var(--mq-error);
    }
    .small {
      font-size: 0.8rem;
      margin: 0.25rem 0;
    }
    .actions,
    .row {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem;
      align-items: center;
      margin-top: 0.4rem;
    }
    .row input {
      width: 4.5rem;
    }
    .row select {
      flex: 1;
      min-width: 0;
    }
  `,
})
export class QueueCard {
  readonly queue = input.required<QueueSummaryView>();
  readonly libraries = input<LibraryView[]>([]);
  readonly pause = output();
  readonly resume = output();
  readonly retryFailed = output();
  readonly showFailed = output();
  readonly concurrency = output<number>();
  readonly scan = output<string>();
  protected readonly states = JOB_STATES;
  protected libraryId = '';
  /** The admin's edit of the concurrency survives the live refreshes of the queue until the server holds it. */
  protected readonly draft = signal<FieldDraft<number | null>>(untouched);
  protected readonly level = computed(() => shownValue(this.draft(), this.queue().concurrency));
  protected readonly canSet = computed(() => isChange(this.draft(), this.queue().concurrency) && this.level() !== null);
  protected readonly edited = edited;
  protected readonly untouched = untouched;

  constructor() {
    effect(() => {
      const server = this.queue().concurrency;
      untracked(() => this.draft.update((draft) => settle(draft, server)));
    });
  }

  protected submitLevel(): void {
    const level = this.level();
    if (this.canSet() && level !== null) this.concurrency.emit(level);
  }

  protected eta(seconds: number): string {
    return formatDuration(seconds * 1000);
  }
}
