import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { PlaylistDetail, PlaylistEntryView } from '@marquee/contracts';
import { Api } from '../../core/api.service';
import { MusicPlayerService } from '../../core/music-player.service';
import { formatDuration } from '../../logic/format.js';
import { ResourceState, attempt } from '../../logic/resource-state.js';
import { StatusMessage } from '../../ui/status-message.component';

/** One playlist: its entries in order, play all, move up/down, remove. */
@Component({
  selector: 'mq-playlist-page',
  imports: [RouterLink, StatusMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p><a routerLink="/playlists">← Playlists</a></p>
    <mq-status [loading]="playlist.loading() && !playlist.value()" [error]="playlist.error()" />
    @if (playlist.value(); as p) {
      <h1>{{ p.name }}</h1>
      @if (p.description) {
        <p>{{ p.description }}</p>
      }
      <p class="muted">{{ p.itemCount }} items · {{ clock(p.durationMs) }}</p>
      @if (tracks().length) {
        <button type="button" (click)="playAll()">Play the music</button>
      }
      @if (error(); as e) {
        <p class="error-text" role="alert">{{ e }}</p>
      }
      <mq-status [empty]="p.entries.total === 0" emptyText="This playlist is empty: add items from their pages." />
      <ol class="entries">
        @for (entry of p.entries.items; track entry.id; let first = $first, last = $last) {
          <li>
            <a [routerLink]="['/items', entry.item.id]">{{ entry.item.title }}</a>
            <span class="muted">{{ entry.item.artists.join(', ') }} {{ clock(entry.item.durationMs) }}</span>
            <span class="moves">
              <button
                type="button"
                class="link"
                [disabled]="first"
                (click)="move(entry, entry.index - 1)"
                [attr.aria-label]="'Move ' + entry.item.title + ' up'"
              >
                ↑
              </button>
              <button
                type="button"
                class="link"
                [disabled]="last"
                (click)="move(entry, entry.index + 1)"
                [attr.aria-label]="'Move ' + entry.item.title + ' down'"
              >
                ↓
              </button>
              <button type="button" class="link" (click)="remove(entry)" [attr.aria-label]="'Remove ' + entry.item.title">Remove</button>
            </span>
          </li>
        }
      </ol>
    }
  `,
  styles: `
    .entries li {
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem;
      align-items: center;
      padding: 0.3rem 0;
    }
    .moves {
      margin-left: auto;
    }
  `,
})
export class PlaylistPage {
  private readonly api = inject(Api);
  private readonly music = inject(MusicPlayerService);
  readonly id = input.required<string>();
  protected readonly playlist = new ResourceState<PlaylistDetail>();
  protected readonly error = signal<string | null>(null);
  protected readonly clock = formatDuration;
  protected readonly tracks = computed(() =>
    (this.playlist.value()?.entries.items ?? []).map((e) => e.item).filter((i) => i.type === 'track'),
  );

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => this.reload(id));
    });
  }

  private reload(id = this.id()): void {
    void this.playlist.load(() => this.api.get(`playlists/${id}`, { query: { limit: 1000 } }));
  }

  protected playAll(): void {
    this.music.playAll(this.tracks());
  }

  protected async move(entry: PlaylistEntryView, index: number): Promise<void> {
    if (await attempt(this.error, () => this.api.put(`playlists/${this.id()}/order`, { entryId: entry.id, index }))) this.reload();
  }

  protected async remove(entry: PlaylistEntryView): Promise<void> {
    if (await attempt(this.error, () => this.api.delete(`playlists/${this.id()}/items/${entry.id}`))) this.reload();
  }
}
