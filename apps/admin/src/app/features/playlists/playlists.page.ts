import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import type { PageOf, PlaylistView } from '@marquee/contracts';
import { Api } from '../../core/api.service';
import { formatDuration } from '../../logic/format.js';
import { ResourceState, attempt } from '../../logic/resource-state.js';
import { StatusMessage } from '../../ui/status-message.component';

/** Your playlists: create, open, delete. */
@Component({
  selector: 'mq-playlists-page',
  imports: [FormsModule, RouterLink, StatusMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Playlists</h1>
    <form class="create" (ngSubmit)="create()">
      <label for="playlist-name">New playlist</label>
      <input id="playlist-name" name="name" required maxlength="200" [(ngModel)]="name" placeholder="Name" />
      <button type="submit" [disabled]="!name.trim()">Create</button>
    </form>
    @if (error(); as e) {
      <p class="error-text" role="alert">{{ e }}</p>
    }
    <mq-status
      [loading]="playlists.loading()"
      [error]="playlists.error()"
      [empty]="playlists.value()?.total === 0"
      emptyText="No playlists yet. Create one, then add items from their pages."
    />
    <ul class="playlists">
      @for (p of playlists.value()?.items ?? []; track p.id) {
        <li>
          @if (p.cover.url; as cover) {
            <img [src]="cover" alt="" width="64" height="64" />
          } @else {
            <span class="cover" aria-hidden="true">♫</span>
          }
          <a [routerLink]="['/playlists', p.id]">{{ p.name }}</a>
          <span class="muted">{{ p.itemCount }} items · {{ clock(p.durationMs) }}</span>
          <button type="button" class="danger" (click)="remove(p)" [attr.aria-label]="'Delete playlist ' + p.name">Delete</button>
        </li>
      }
    </ul>
  `,
  styles: `
    .create {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: center;
      margin-bottom: 1rem;
    }
    .playlists {
      list-style: none;
      padding: 0;
    }
    .playlists li {
      display: grid;
      grid-template-columns: 64px 1fr auto auto;
      gap: 0.75rem;
      align-items: center;
      padding: 0.4rem 0;
    }
    .cover {
      display: grid;
      place-items: center;
      width: 64px;
      height: 64px;
      background: color-mix(in srgb, var(--mq-fg) 10%, transparent);
      border-radius: 6px;
    }
    img {
      border-radius: 6px;
      object-fit: cover;
    }
  `,
})
export class PlaylistsPage {
  private readonly api = inject(Api);
  protected readonly playlists = new ResourceState<PageOf<PlaylistView>>();
  protected readonly error = signal<string | null>(null);
  protected readonly clock = formatDuration;
  protected name = '';

  constructor() {
    this.reload();
  }

  private reload(): void {
    void this.playlists.load(() => this.api.get('playlists', { query: { limit: 500 } }));
  }

  protected async create(): Promise<void> {
    if (await attempt(this.error, () => this.api.post('playlists', { name: this.name.trim() }))) {
      this.name = '';
      this.reload();
    }
  }

  protected async remove(playlist: PlaylistView): Promise<void> {
    if (!confirm(`Delete the playlist “${playlist.name}”?`)) return;
    if (await attempt(this.error, () => this.api.delete(`playlists/${playlist.id}`))) this.reload();
  }
}
