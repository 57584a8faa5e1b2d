import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { Icon } from '../../ui/icon.component';
import { MusicPlayerService } from '../../core/music-player.service';
import { formatDuration } from '../../logic/format.js';

/** The persistent music player: it sits under every page, so playback survives navigation. */
@Component({
  selector: 'mq-music-player-bar',
  imports: [RouterLink, Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (player.current(); as track) {
      <section class="player" aria-label="Music player">
        <div class="now">
          <a [routerLink]="['/items', track.id]" class="title">{{ track.title }}</a>
          <span class="artist">{{ track.artists.join(', ') }}</span>
          @if (player.badge(); as badge) {
            <span class="badge" aria-label="Audio format">{{ badge }}</span>
          }
        </div>
        <div class="controls">
          <button type="button" class="secondary" (click)="player.previousTrack()" aria-label="Previous track">
            <mq-icon name="previous" />
          </button>
          <button type="button" (click)="player.toggle()" [attr.aria-label]="player.playing() ? 'Pause music' : 'Play music'">
            <mq-icon [name]="player.playing() ? 'pause' : 'play'" />
          </button>
          <button type="button" class="secondary" (click)="player.nextTrack()" [disabled]="!player.canNext()" aria-label="Next track">
            <mq-icon name="next" />
          </button>
        </div>
        <div class="seek">
          <span class="time" data-testid="music-position">{{ clock(player.positionMs()) }}</span>
          <input
            type="range"
            min="0"
            [max]="player.durationMs() || 0"
            step="1000"
            [value]="player.positionMs()"
            (change)="player.seek(+$any($event.target).value)"
            aria-label="Seek in the track"
            [attr.aria-valuetext]="clock(player.positionMs()) + ' of ' + clock(player.durationMs())"
          />
          <span class="time">{{ clock(player.durationMs()) }}</span>
        </div>
        <div class="extra">
          <label for="music-volume" class="visually-hidden">Music volume</label>
          <input
            id="music-volume"
            type="range"
            min="0"
            max="1"
            step="0.05"
            [value]="player.volume()"
            (input)="player.setVolume(+$any($event.target).value)"
          />
          <button
            type="button"
            class="secondary"
            (click)="showQueue.set(!showQueue())"
            [attr.aria-expanded]="showQueue()"
            aria-controls="music-queue"
          >
            Queue ({{ player.queue().entries.length }})
          </button>
          <button type="button" class="link" (click)="player.stop()" aria-label="Stop and clear the queue"><mq-icon name="close" /></button>
        </div>
        @if (player.error(); as error) {
          <p class="error" role="alert">{{ error }}</p>
        }
        @if (showQueue()) {
          <ol id="music-queue" class="queue">
            @for (entry of player.queue().entries; track $index) {
              <li [class.current]="$index === player.queue().current">
                <button type="button" class="link" (click)="player.jump($index)" [attr.aria-current]="$index === player.queue().current">
                  {{ entry.title }}
                </button>
                <span class="muted">{{ clock(entry.durationMs) }}</span>
                <button
                  type="button"
                  class="link"
                  (click)="player.remove($index)"
                  [attr.aria-label]="'Remove ' + entry.title + ' from the queue'"
                >
                  Remove
                </button>
              </li>
            }
          </ol>
        }
      </section>
    }
  `,
  styles: `
    .player {
      position: fixed;
      left: 0;
      right: 0;
      bottom: 0;
      z-index: 6;
      display: grid;
      grid-template-columns: minmax(10rem, 1fr) auto minmax(12rem, 2fr) auto;
      gap: 0.5rem 1rem;
      align-items: center;
      padding: 0.5rem 1rem;
      background: var(--mq-bg);
      border-top: 1px solid color-mix(in srgb, var(--mq-fg) 20%, transparent);
    }
    .now {
      display: flex;
      flex-direction: column;
      min-width: 0;
    }
    .title {
      font-weight: 700;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .artist {
      color: var(--mq-muted);
      font-size: 0.85rem;
    }
    .badge {
      align-self: flex-start;
      font-size: 0.75rem;
      padding: 0 0.4rem;
      border: 1px solid var(--mq-accent);
      border-radius: 4px;
      color: var(--mq-accent);
    }
    .controls,
    .extra,
    .seek {
      display: flex;
      gap: 0.4rem;
      align-items: center;
    }
    .seek input {
      flex: 1;
    }
    .time {
      font-variant-numeric: tabular-nums;
      font-size: 0.85rem;
    }
    .queue {
      grid-column: 1 / -1;
      max-height: 40vh;
      overflow: auto;
      margin: 0;
    }
    .queue li.current {
      font-weight: 700;
    }
    .error {
      grid-column: 1 / -1;
      color: var(--mq-error);
      margin: 0;
    }
    @media (max-width: 760px) {
      .player {
        grid-template-columns: 1fr auto;
      }
      .seek,
      .extra {
        grid-column: 1 / -1;
      }
    }
  `,
})
export class MusicPlayerBar {
  protected readonly player = inject(MusicPlayerService);
  protected readonly showQueue = signal(false);
  protected readonly clock = formatDuration;
}
