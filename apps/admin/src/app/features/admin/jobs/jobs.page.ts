import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  Injector,
  afterNextRender,
  computed,
  inject,
  signal,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import {
  JOB_STATES,
  type JobChangedEvent,
  type JobDetailView,
  type JobRunView,
  type LibraryView,
  type PageOf,
  QUEUE_NAMES,
  type QueueSummaryView,
} from '@marquee/contracts';
import { Api } from '../../../core/api.service';
import { JobEventsService, type StreamState } from '../../../core/job-events.service';
import { formatDuration, formatRelative } from '../../../logic/format.js';
import { type JobFilters, applyJobEvent } from '../../../logic/job-table.js';
import { ResourceState, attempt } from '../../../logic/resource-state.js';
import { StatusMessage } from '../../../ui/status-message.component';
import { JobDrawer } from './job-drawer';
import { QueueCard } from './queue-card';

const PAGE = 50;
const QUEUE_REFRESH_MS = 1000;

/** The job dashboard: queue cards with live counts, the filterable ledger, and a job's details. */
@Component({
  selector: 'mq-jobs-page',
  imports: [FormsModule, StatusMessage, QueueCard, JobDrawer],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './jobs.page.html',
  styleUrl: './jobs.page.css',
})
export class JobsPage {
  private readonly api = inject(Api);
  protected readonly queueNames = QUEUE_NAMES;
  protected readonly states = JOB_STATES;
  protected readonly ago = formatRelative;
  protected readonly duration = formatDuration;

  protected readonly queues = new ResourceState<QueueSummaryView[]>();
  protected readonly libraries = new ResourceState<LibraryView[]>();
  protected readonly jobs = new ResourceState<PageOf<JobRunView>>();
  protected readonly stream = signal<StreamState>('connecting');
  protected readonly actionError = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected readonly selected = signal<string | null>(null);
  protected readonly detail = new ResourceState<JobDetailView>();
  protected readonly showIdle = signal(false);
  protected readonly visibleQueues = computed(() => {
    const all = this.queues.value() ?? [];
    if (this.showIdle()) return all;
    return all.filter((q) => q.paused || q.name === 'library-scan' || Object.values(q.counts).some((n) => n > 0));
  });

  protected filters: Required<JobFilters> = { queue: '', state: '', targetId: '', q: '' };
  protected offset = 0;
  private openedFrom: string | null = null;
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
  private readonly injector = inject(Injector);
  private queueTimer: ReturnType<typeof setTimeout> | undefined;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    void this.queues.load(() => this.api.get('queues'));
    void this.libraries.load(() => this.api.get('libraries'));
    void this.loadJobs();
    const stop = inject(JobEventsService).listen(
      (message) => {
        if (message.event === 'job') this.onJobEvent(JSON.parse(message.data) as JobChangedEvent);
        else this.refreshQueuesSoon();
      },
      (state) => this.stream.set(state),
    );
    inject(DestroyRef).onDestroy(() => {
      stop();
      clearTimeout(this.queueTimer);
      clearTimeout(this.searchTimer);
    });
  }

  protected loadJobs(): Promise<unknown> {
    const f = this.filters;
    return this.jobs.load(() =>
      this.api.get('jobs', {
        query: { queue: f.queue, state: f.state, targetId: f.targetId.trim(), q: f.q.trim(), limit: PAGE, offset: this.offset },
      }),
    );
  }

  protected filter(): void {
    this.offset = 0;
    void this.loadJobs();
  }

  protected typed(): void {
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => this.filter(), 300);
  }

  protected turnPage(delta: number): void {
    this.offset = Math.max(0, this.offset + delta * PAGE);
    void this.loadJobs();
  }

  protected open(job: JobRunView): void {
    this.openedFrom = job.id;
    this.selected.set(job.id);
    void this.detail.load(() => this.api.get(`jobs/${job.id}`));
  }

  /** Closes the drawer and gives focus back to the row it was opened from (if that row is still listed). */
  protected close(): void {
    this.selected.set(null);
    const row = this.openedFrom;
    this.openedFrom = null;
    afterNextRender(() => this.host.querySelector<HTMLElement>(`tr[data-job-id="${row}"] button`)?.focus(), { injector: this.injector });
  }

  protected async retry(id: string): Promise<void> {
    await attempt(this.actionError, async () => {
      const retried = await this.api.post<{ id: string }>(`jobs/${id}/retry`);
      this.notice.set(`Retried: the new job is ${retried.id}.`);
      this.selected.set(retried.id);
      await this.detail.load(() => this.api.get(`jobs/${retried.id}`));
    });
  }

  protected async cancel(id: string): Promise<void> {
    await attempt(this.actionError, async () => {
      await this.api.post(`jobs/${id}/cancel`);
      this.notice.set('Cancel requested.');
      await this.detail.load(() => this.api.get(`jobs/${id}`));
    });
  }

  protected async queueAction(name: string, action: 'pause' | 'resume' | 'retry-failed'): Promise<void> {
    await attempt(this.actionError, async () => {
      const result = await this.api.post<QueueSummaryView | { retried: number }>(`queues/${name}/${action}`);
      if ('retried' in result)
        this.notice.set(`${result.retried} failed ${result.retried === 1 ? 'job' : 'jobs'} of ${name} queued again.`);
      this.refreshQueuesSoon(0);
    });
  }

  protected async setConcurrency(name: string, concurrency: number): Promise<void> {
    await attempt(this.actionError, async () => {
      await this.api.patch(`queues/${name}`, { concurrency });
      this.notice.set(`${name} runs ${concurrency} at a time per worker (applied within 5 s).`);
      this.refreshQueuesSoon(0);
    });
  }

  protected async scan(libraryId: string): Promise<void> {
    await attempt(this.actionError, async () => {
      const result = await this.api.post<{ jobId: string; deduplicated: boolean }>(`libraries/${libraryId}/scan`);
      this.notice.set(result.deduplicated ? 'A scan of that library is already queued.' : 'Scan queued.');
    });
  }

  private onJobEvent(event: JobChangedEvent): void {
    this.refreshQueuesSoon();
    if (this.selected() === event.id) void this.detail.load(() => this.api.get(`jobs/${event.id}`));
    const page = this.jobs.value();
    if (!page) return;
    if (this.offset > 0 && !page.items.some((j) => j.id === event.id)) return;
    const { rows, totalDelta } = applyJobEvent(page.items, event, this.filters, PAGE);
    this.jobs.value.set({ ...page, items: rows, total: page.total + totalDelta });
  }

  /** Counts follow events, at most once a second however many jobs move. */
  private refreshQueuesSoon(delay = QUEUE_REFRESH_MS): void {
    if (this.queueTimer && delay > 0) return;
    clearTimeout(this.queueTimer);
    this.queueTimer = setTimeout(() => {
      this.queueTimer = undefined;
      void this.api
        .get<QueueSummaryView[]>('queues')
        .then((q) => this.queues.value.set(q))
        .catch(() => undefined);
    }, delay);
  }
}
