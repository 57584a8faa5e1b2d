import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import type { PageOf, UserItemEntry } from '@marquee/contracts';
import { Api } from '../../core/api.service';
import { PosterCard } from '../../ui/poster-card.component';
import { ResourceState } from '../../logic/resource-state.js';
import { StatusMessage } from '../../ui/status-message.component';

/** Your favourites, by title. */
@Component({
  selector: 'mq-favourites-page',
  imports: [PosterCard, StatusMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Favourites</h1>
    <mq-status
      [loading]="favourites.loading()"
      [error]="favourites.error()"
      [empty]="favourites.value()?.total === 0"
      emptyText="No favourites yet: use the ☆ button on any item's page."
    />
    <div class="row-list" role="list">
      @for (entry of favourites.value()?.items ?? []; track entry.item.id) {
        <div role="listitem"><mq-poster-card [item]="entry.item" [positionMs]="entry.userData.positionMs" /></div>
      }
    </div>
  `,
})
export class FavouritesPage {
  protected readonly favourites = new ResourceState<PageOf<UserItemEntry>>();

  constructor() {
    const api = inject(Api);
    void this.favourites.load(() => api.get('me/favorites', { query: { limit: 500 } }));
  }
}
