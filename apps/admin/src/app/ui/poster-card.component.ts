import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { ItemSummary } from '@marquee/contracts';
import { episodeCode, progressPercent } from '../logic/format.js';

/** An item's poster (or cover, or thumbnail) with its title, linking to its page. */
@Component({
  selector: 'mq-poster-card',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <a class="card" [routerLink]="['/items', item().id]" [attr.aria-label]="label()">
      <span class="art" [class.square]="square()">
        @if (picture(); as src) {
          <img [src]="src" alt="" loading="lazy" decoding="async" />
        } @else {
          <span class="placeholder" aria-hidden="true">{{ initial() }}</span>
        }
        @if (progress() > 0) {
          <span class="progress" aria-hidden="true"><span [style.width.%]="progress()"></span></span>
        }
      </span>
      <span class="title">{{ item().title }}</span>
      <span class="sub">{{ subtitle() }}</span>
    </a>
  `,
  styles: `
    .card {
      display: flex;
      flex-direction: column;
      gap: 0.2rem;
      color: inherit;
      text-decoration: none;
      min-width: 0;
    }
    .art {
      position: relative;
      display: block;
      aspect-ratio: 2 / 3;
      border-radius: 6px;
      overflow: hidden;
      background: color-mix(in srgb, var(--mq-fg) 10%, transparent);
    }
    .art.square {
      aspect-ratio: 1;
    }
    img {
      width: 100%;
      height: 100%;
      object-fit: cover;
      display: block;
    }
    .placeholder {
      display: grid;
      place-items: center;
      height: 100%;
      font-size: 2.5rem;
      color: var(--mq-muted);
    }
    .progress {
      position: absolute;
      left: 0;
      right: 0;
      bottom: 0;
      height: 4px;
      background: rgb(0 0 0 / 40%);
    }
    .progress span {
      display: block;
      height: 100%;
      background: var(--mq-accent);
    }
    .title {
      font-weight: 600;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .sub {
      color: var(--mq-muted);
      font-size: 0.85rem;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      min-height: 1.2em;
    }
    .card:hover .title {
      text-decoration: underline;
    }
  `,
})
export class PosterCard {
  readonly item = input.required<ItemSummary>();
  readonly positionMs = input(0);

  protected readonly square = computed(() => ['album', 'artist', 'track', 'image', 'gallery'].includes(this.item().type));
  protected readonly picture = computed(() => {
    const art = this.item().artwork;
    const src = art.poster ?? art.cover ?? art.thumb ?? null;
    return src ? `${src}${src.includes('?') ? '&' : '?'}width=300` : null;
  });
  protected readonly initial = computed(() => this.item().title.trim().charAt(0).toUpperCase() || '?');
  protected readonly progress = computed(() => progressPercent(this.positionMs(), this.item().durationMs));
  protected readonly subtitle = computed(() => {
    const item = this.item();
    if (item.type === 'episode') return episodeCode(item.parentIndexNumber, item.indexNumber, item.indexNumberEnd) ?? 'Episode';
    if (item.type === 'album' || item.type === 'track') return item.artists.join(', ') || (item.year ? String(item.year) : '');
    if (item.childCount && ['series', 'season', 'artist', 'gallery'].includes(item.type))
      return `${item.childCount} ${childNoun(item.type)}`;
    return item.year ? String(item.year) : '';
  });
  protected readonly label = computed(() => [this.item().title, this.subtitle()].filter(Boolean).join(', '));
}

function childNoun(type: string): string {
  return { series: 'seasons', season: 'episodes', artist: 'albums', gallery: 'pictures' }[type] ?? 'items';
}
