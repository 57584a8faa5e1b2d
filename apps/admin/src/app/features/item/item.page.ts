import {
  ChangeDetectionStrategy,
  Component,
  type ElementRef,
  Injector,
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
import { RouterLink } from '@angular/router';
import type { ItemDetail, ItemSummary, PageOf, PlaybackInfo, PlaylistView, UserItemDataView } from '@marquee/contracts';
import { Api } from '../../core/api.service';
import { AuthService } from '../../core/auth.service';
import { MusicPlayerService } from '../../core/music-player.service';
import { audioFormatBadge, episodeCode, formatBytes, formatDuration } from '../../logic/format.js';
import { PosterCard } from '../../ui/poster-card.component';
import { sectionOfType } from '../browse/browse-sections';
import { ResourceState, attempt } from '../../logic/resource-state.js';
import { StatusMessage } from '../../ui/status-message.component';

const VIDEO_TYPES = ['movie', 'episode', 'extra'];
const CHILD_HEADINGS: Record<string, string> = {
  series: 'Seasons',
  season: 'Episodes',
  artist: 'Albums',
  album: 'Tracks',
  gallery: 'Pictures',
  movie: 'Extras',
};

/** One item: a film, a series, a season, an artist, an album, a track, a gallery or a picture. */
@Component({
  selector: 'mq-item-page',
  imports: [RouterLink, FormsModule, PosterCard, StatusMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './item.page.html',
  styleUrl: './item.page.css',
})
export class ItemPage {
  private readonly api = inject(Api);
  protected readonly auth = inject(AuthService);
  protected readonly music = inject(MusicPlayerService);
  readonly id = input.required<string>();

  protected readonly item = new ResourceState<ItemDetail>();
  protected readonly children = new ResourceState<PageOf<ItemSummary>>();
  protected readonly playlists = new ResourceState<PlaylistView[]>();
  protected readonly actionError = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected readonly userData = signal<UserItemDataView | null>(null);
  protected readonly viewing = signal<{ title: string; url: string } | null>(null);
  private readonly lightbox = viewChild<ElementRef<HTMLDialogElement>>('lightbox');
  private readonly injector = inject(Injector);
  /** The thumbnail the picture was opened from: focus goes back there when it closes. */
  private lightboxOpener: HTMLElement | null = null;
  protected playlistId = '';

  protected readonly isVideo = computed(() => VIDEO_TYPES.includes(this.item.value()?.type ?? ''));
  protected readonly childHeading = computed(() => CHILD_HEADINGS[this.item.value()?.type ?? ''] ?? 'Contents');
  protected readonly tracks = computed(() => (this.children.value()?.items ?? []).filter((c) => c.type === 'track'));
  protected readonly picture = computed(() => {
    const art = this.item.value()?.artwork ?? {};
    const src = art.poster ?? art.cover ?? art.thumb;
    return src ? `${src}&width=400` : null;
  });
  protected readonly backdrop = computed(() => {
    const src = this.item.value()?.artwork.backdrop;
    return src ? `${src}&width=1280` : null;
  });
  protected readonly facts = computed(() => {
    const item = this.item.value();
    if (!item) return [];
    const file = item.files[0];
    const video = file?.streams.find((s) => s.type === 'video');
    const audio = file?.streams.find((s) => s.type === 'audio');
    return [
      item.type === 'episode' ? episodeCode(item.parentIndexNumber, item.indexNumber, item.indexNumberEnd) : null,
      item.year ? String(item.year) : null,
      item.durationMs ? formatDuration(item.durationMs) : null,
      item.officialRating,
      video?.width && video.height ? `${video.width}×${video.height}${video.hdr ? ' HDR' : ''}` : null,
      item.type === 'track' && audio
        ? audioFormatBadge({ codec: audio.codec, bitDepth: audio.bitDepth, sampleRate: audio.sampleRate })
        : null,
      file ? formatBytes(file.size) : null,
    ].filter((f): f is string => Boolean(f));
  });

  protected readonly genreSection = computed(() => {
    const item = this.item.value();
    return item ? sectionOfType(item.type === 'episode' || item.type === 'season' ? 'series' : item.type).key : 'movies';
  });
  protected readonly clock = formatDuration;
  protected readonly code = episodeCode;

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => void this.load(id));
    });
  }

  private async load(id: string): Promise<void> {
    this.viewing.set(null);
    this.notice.set(null);
    const item = await this.item.load(() => this.api.get<ItemDetail>(`items/${id}`));
    if (!item) return;
    this.userData.set(item.userData);
    if (item.childCount > 0) void this.children.load(() => this.api.get(`items/${id}/children`, { query: { sort: 'index', limit: 500 } }));
    else this.children.value.set(null);
  }

  protected async toggleFavourite(): Promise<void> {
    const item = this.item.value();
    if (!item) return;
    await attempt(this.actionError, async () => {
      const data = await this.api.put<UserItemDataView>(`items/${item.id}/user-data`, { favorite: !this.userData()?.favorite });
      this.userData.set(data);
    });
  }

  protected async togglePlayed(): Promise<void> {
    const item = this.item.value();
    if (!item) return;
    await attempt(this.actionError, async () => {
      const played = !this.userData()?.played;
      const response = await (played
        ? this.api.post<{ userData: UserItemDataView }>(`items/${item.id}/played`)
        : this.api.delete<{ userData: UserItemDataView }>(`items/${item.id}/played`));
      this.userData.set(response.userData);
    });
  }

  protected loadPlaylists(): void {
    if (!this.playlists.value())
      void this.playlists.load(async () => (await this.api.get<PageOf<PlaylistView>>('playlists', { query: { limit: 500 } })).items);
  }

  protected async addToPlaylist(): Promise<void> {
    const item = this.item.value();
    if (!item || !this.playlistId) return;
    const name = this.playlists.value()?.find((p) => p.id === this.playlistId)?.name ?? 'the playlist';
    if (await attempt(this.actionError, () => this.api.post(`playlists/${this.playlistId}/items`, { itemIds: [item.id] }))) {
      this.notice.set(`Added to ${name}.`);
    }
  }

  protected playTracks(start: ItemSummary | null): void {
    const item = this.item.value();
    if (item?.type === 'track') {
      this.music.playAll([item]);
      return;
    }
    const tracks = this.tracks();
    this.music.playAll(tracks, start ? tracks.indexOf(start) : 0);
  }

  protected queueTracks(where: 'next' | 'last'): void {
    const item = this.item.value();
    const tracks = item?.type === 'track' ? [item] : this.tracks();
    this.music.add(tracks, where);
    this.notice.set(where === 'next' ? 'Plays next.' : 'Added to the end of the queue.');
  }

  protected async view(image: ItemSummary, opener: HTMLElement): Promise<void> {
    await attempt(this.actionError, async () => {
      const playback = await this.api.get<PlaybackInfo>(`items/${image.id}/playback`);
      this.lightboxOpener = opener;
      this.viewing.set({ title: image.title, url: playback.directUrl });
      // Opened as a modal dialog once rendered, with focus on its Close button (autofocus does not apply to
      // elements added after the page loaded).
      afterNextRender(
        () => {
          const dialog = this.lightbox()?.nativeElement;
          if (!dialog || dialog.open) return;
          dialog.showModal();
          dialog.querySelector('button')?.focus();
        },
        { injector: this.injector },
      );
    });
  }

  protected closeLightbox(): void {
    this.viewing.set(null);
    this.lightboxOpener?.focus();
    this.lightboxOpener = null;
  }
}
