import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NavigationEnd, Router, RouterLink } from '@angular/router';
import { filter, skip } from 'rxjs';
import type { HistoryEntryView, ItemSummary, PageOf, ResumeEntry } from '@marquee/contracts';
import { Api } from '../../core/api.service';
import { PosterCard } from '../../ui/poster-card.component';
import { ResourceState } from '../../logic/resource-state.js';
import { StatusMessage } from '../../ui/status-message.component';

/** Home: continue watching, recently added, recently played. */
@Component({
  selector: 'mq-home-page',
  imports: [PosterCard, StatusMessage, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Home</h1>
    <section aria-labelledby="resume-title">
      <h2 id="resume-title">Continue watching</h2>
      <mq-status
        [loading]="resume.loading()"
        [error]="resume.error()"
        [empty]="!resume.value()?.items?.length"
        emptyText="Nothing in progress. Start a film or an episode and it will wait for you here."
      />
      <div class="shelf">
        @for (entry of resume.value()?.items ?? []; track entry.item.id) {
          <mq-poster-card [item]="entry.item" [positionMs]="entry.userData.positionMs" />
        }
      </div>
    </section>
    <section aria-labelledby="added-title">
      <h2 id="added-title">Recently added</h2>
      <mq-status
        [loading]="added.loading()"
        [error]="added.error()"
        [empty]="!added.value()?.items?.length"
        emptyText="The library is empty so far."
      />
      @if (!added.loading() && !added.value()?.items?.length && !added.error()) {
        <p class="muted">Administrators add folders under <a routerLink="/admin/libraries">Libraries</a>.</p>
      }
      <div class="shelf">
        @for (item of added.value()?.items ?? []; track item.id) {
          <mq-poster-card [item]="item" />
        }
      </div>
    </section>
    <section aria-labelledby="played-title">
      <h2 id="played-title">Recently played</h2>
      <mq-status [loading]="played.loading()" [error]="played.error()" [empty]="!recentlyPlayed().length" emptyText="Nothing played yet." />
      <div class="shelf">
        @for (item of recentlyPlayed(); track item.id) {
          <mq-poster-card [item]="item" />
        }
      </div>
    </section>
  `,
  styles: `
    section {
      margin-bottom: 2rem;
    }
    h2 {
      font-size: 1.2rem;
    }
    .shelf {
      display: grid;
      grid-auto-flow: column;
      grid-auto-columns: minmax(120px, 150px);
      gap: 1rem;
      overflow-x: auto;
      padding-bottom: 0.5rem;
    }
  `,
})
export class HomePage {
  private readonly api = inject(Api);
  protected readonly resume = new ResourceState<PageOf<ResumeEntry>>();
  protected readonly added = new ResourceState<PageOf<ItemSummary>>();
  protected readonly played = new ResourceState<PageOf<HistoryEntryView>>();
  /** One card per item, latest play first. */
  protected readonly recentlyPlayed = computed(() => {
    const seen = new Set<string>();
    return (this.played.value()?.items ?? []).map((e) => e.item).filter((item) => !seen.has(item.id) && seen.add(item.id));
  });

  constructor() {
    this.load();
    // Home's own link, clicked on Home, is a navigation to the same URL (the router passes it on, see
    // app.config): the shelves are loaded again. The first NavigationEnd is the one that made this page.
    inject(Router)
      .events.pipe(
        filter((event) => event instanceof NavigationEnd),
        skip(1),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.load());
  }

  private load(): void {
    void this.resume.load(() => this.api.get('me/resume', { query: { limit: 20 } }));
    void this.added.load(() => this.api.get('items', { query: { type: 'movie,series,album,gallery', sort: '-added', limit: 20 } }));
    void this.played.load(() => this.api.get('me/history', { query: { limit: 40 } }));
  }
}
