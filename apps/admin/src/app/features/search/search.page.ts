import { ChangeDetectionStrategy, Component, effect, inject, input, untracked } from '@angular/core';
import type { ItemSummary, PageOf } from '@marquee/contracts';
import { Api } from '../../core/api.service';
import { PosterCard } from '../../ui/poster-card.component';
import { ResourceState } from '../../logic/resource-state.js';
import { StatusMessage } from '../../ui/status-message.component';

/** Search results; the search box in the header drives `?q=` as you type. */
@Component({
  selector: 'mq-search-page',
  imports: [PosterCard, StatusMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Search</h1>
    @if (!q()?.trim()) {
      <p class="muted">Type in the search box above: titles, artists, albums and people, as you type.</p>
    } @else {
      <p class="muted" role="status" aria-live="polite">
        @if (results.value(); as page) {
          {{ page.total }} {{ page.total === 1 ? 'result' : 'results' }} for “{{ q() }}”
        }
      </p>
      <mq-status
        [loading]="results.loading()"
        [error]="results.error()"
        [empty]="results.value()?.total === 0"
        emptyText="Nothing found. Try fewer or shorter words."
      />
      <div class="row-list" role="list">
        @for (item of results.value()?.items ?? []; track item.id) {
          <div role="listitem"><mq-poster-card [item]="item" /></div>
        }
      </div>
    }
  `,
})
export class SearchPage {
  private readonly api = inject(Api);
  readonly q = input<string | undefined>(undefined);
  protected readonly results = new ResourceState<PageOf<ItemSummary>>();

  constructor() {
    effect(() => {
      const q = this.q()?.trim();
      if (q) untracked(() => void this.results.load(() => this.api.get('search', { query: { q, limit: 60 } })));
    });
  }
}
