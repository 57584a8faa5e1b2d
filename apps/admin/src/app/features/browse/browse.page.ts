import { ScrollingModule } from '@angular/cdk/scrolling';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  afterNextRender,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink, RouterLinkActive } from '@angular/router';
import { ITEM_SORTS, type ItemSort, type ItemSummary, type PageOf } from '@marquee/contracts';
import { Api } from '../../core/api.service';
import { toApiError } from '../../logic/api-error.js';
import { gridLayout, shouldLoadMore, toRows } from '../../logic/grid-math.js';
import { PosterCard } from '../../ui/poster-card.component';
import { StatusMessage } from '../../ui/status-message.component';
import { BROWSE_SECTIONS, sectionFor } from './browse-sections';

const PAGE_SIZE = 120;
const MIN_TILE = 140;
const GAP = 16;
const CAPTION = 48;

const SORT_LABELS: Record<string, string> = {
  title: 'Title (A–Z)',
  '-title': 'Title (Z–A)',
  year: 'Year (oldest)',
  '-year': 'Year (newest)',
  '-added': 'Recently added',
  added: 'First added',
  '-rating': 'Best rated',
  rating: 'Lowest rated',
};

/** Library browsing: a virtualised poster grid with filters and sort, paged as it scrolls. */
@Component({
  selector: 'mq-browse-page',
  imports: [ScrollingModule, FormsModule, PosterCard, StatusMessage, RouterLink, RouterLinkActive],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>{{ current().title }}</h1>
    <nav class="sections" aria-label="Browse by kind">
      @for (s of sections; track s.key) {
        <a [routerLink]="['/browse', s.key]" routerLinkActive="active">{{ s.title }}</a>
      }
    </nav>
    <form class="filters" (ngSubmit)="apply()" aria-label="Filters">
      <label>
        Genre
        <input name="genre" [(ngModel)]="genre" (change)="apply()" placeholder="Any" />
      </label>
      <label>
        Year
        <input name="year" type="number" min="1" max="9999" [(ngModel)]="year" (change)="apply()" placeholder="Any" />
      </label>
      <label>
        Sort
        <select name="sort" [(ngModel)]="sort" (change)="apply()">
          @for (s of sorts; track s) {
            <option [value]="s">{{ sortLabel(s) }}</option>
          }
        </select>
      </label>
      <span class="count" role="status" aria-live="polite">{{ total() === null ? '' : total() + ' in all' }}</span>
    </form>
    <mq-status [loading]="loading() && !items().length" [error]="error()" [empty]="total() === 0" emptyText="Nothing matches." />
    <div class="grid-host" #host>
      <cdk-virtual-scroll-viewport [itemSize]="layout().rowHeight" class="viewport" (scrolledIndexChange)="scrolled($event)">
        <div
          *cdkVirtualFor="let row of rows(); trackBy: trackRow"
          class="row"
          role="list"
          [style.grid-template-columns]="'repeat(' + layout().columns + ', 1fr)'"
          [style.height.px]="layout().rowHeight"
        >
          @for (item of row; track item.id) {
            <div role="listitem"><mq-poster-card [item]="item" /></div>
          }
        </div>
      </cdk-virtual-scroll-viewport>
    </div>
  `,
  styles: `
    .sections {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      margin-bottom: 0.75rem;
    }
    .sections a {
      padding: 0.2rem 0.6rem;
      border-radius: 999px;
      border: 1px solid var(--mq-muted);
      text-decoration: none;
      color: var(--mq-fg);
    }
    .sections a.active {
      border-color: var(--mq-accent);
      background: color-mix(in srgb, var(--mq-accent) 20%, transparent);
    }
    .filters {
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem;
      align-items: end;
      margin-bottom: 1rem;
    }
    .filters label {
      display: flex;
      flex-direction: column;
      font-size: 0.85rem;
      font-weight: 600;
    }
    .filters input {
      width: 9rem;
    }
    .count {
      color: var(--mq-muted);
    }
    .viewport {
      height: calc(100vh - 15rem);
      min-height: 20rem;
    }
    .row {
      display: grid;
      gap: 16px;
      padding-bottom: 16px;
    }
  `,
})
export class BrowsePage {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  readonly section = input<string>('movies');
  readonly genre_ = input<string | undefined>(undefined, { alias: 'genre' });
  readonly year_ = input<string | undefined>(undefined, { alias: 'year' });
  readonly sort_ = input<string | undefined>(undefined, { alias: 'sort' });

  protected readonly sections = BROWSE_SECTIONS;
  protected readonly sorts = ITEM_SORTS.filter((s) => SORT_LABELS[s]);
  protected readonly current = computed(() => sectionFor(this.section()));
  protected genre = '';
  protected year: number | null = null;
  protected sort: ItemSort = 'title';

  protected readonly items = signal<ItemSummary[]>([]);
  protected readonly total = signal<number | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  private readonly width = signal(800);
  protected readonly layout = computed(() => gridLayout(this.width(), MIN_TILE, GAP, CAPTION));
  protected readonly rows = computed(() => toRows(this.items(), this.layout().columns));
  private readonly host = viewChild.required<ElementRef<HTMLElement>>('host');
  private generation = 0;

  constructor() {
    effect(() => {
      // Any change of section or filters in the URL starts over.
      this.section();
      this.genre = this.genre_() ?? '';
      this.year = this.year_() ? Number(this.year_()) : null;
      this.sort = (ITEM_SORTS as readonly string[]).includes(this.sort_() ?? '') ? (this.sort_() as ItemSort) : 'title';
      untracked(() => this.reset());
    });
    const destroyRef = inject(DestroyRef);
    afterNextRender(() => {
      const element = this.host().nativeElement;
      const observer = new ResizeObserver(([entry]) => this.width.set(Math.floor(entry.contentRect.width)));
      observer.observe(element);
      this.width.set(element.clientWidth || 800);
      destroyRef.onDestroy(() => observer.disconnect());
    });
  }

  protected sortLabel = (sort: string) => SORT_LABELS[sort] ?? sort;
  protected trackRow = (_: number, row: ItemSummary[]) => row[0]?.id;

  protected apply(): void {
    void this.router.navigate([], {
      queryParams: { genre: this.genre.trim() || null, year: this.year || null, sort: this.sort === 'title' ? null : this.sort },
      replaceUrl: true,
    });
  }

  protected scrolled(firstRow: number): void {
    const visibleRows = Math.ceil((this.host().nativeElement.clientHeight || 600) / this.layout().rowHeight);
    if (shouldLoadMore(firstRow + visibleRows, this.rows().length, this.items().length, this.total() ?? 0)) void this.loadMore();
  }

  private reset(): void {
    this.generation++;
    this.items.set([]);
    this.total.set(null);
    void this.loadMore();
  }

  private async loadMore(): Promise<void> {
    if (this.loading()) return;
    const generation = this.generation;
    this.loading.set(true);
    this.error.set(null);
    try {
      const page = await this.api.get<PageOf<ItemSummary>>('items', {
        query: {
          type: this.current().types,
          genre: this.genre.trim() || undefined,
          year: this.year || undefined,
          sort: this.sort,
          limit: PAGE_SIZE,
          offset: this.items().length,
        },
      });
      if (generation !== this.generation) return;
      this.items.update((items) => [...items, ...page.items]);
      this.total.set(page.total);
    } catch (error) {
      if (generation === this.generation) this.error.set(toApiError(error).message);
    } finally {
      this.loading.set(false);
      // A filter changed while this page loaded: load the first page for it.
      if (generation !== this.generation) void this.loadMore();
    }
  }
}
