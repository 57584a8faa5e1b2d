import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  type ElementRef,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import type { ItemDetail, PlaybackInfo } from '@marquee/contracts';
import type Hls from 'hls.js';
import { Api } from '../../core/api.service';
import { browserCapabilities } from '../../core/media-capabilities';
import { formatDuration } from '../../logic/format.js';
import { capabilitiesQuery } from '../../logic/playback-capabilities.js';
import { type TrickplayCue, cueAt, parseTrickplayVtt } from '../../logic/trickplay.js';
import { ResourceState } from '../../logic/resource-state.js';
import { Icon } from '../../ui/icon.component';
import { StatusMessage } from '../../ui/status-message.component';

const PROGRESS_REPORT_MS = 10_000;
const SEEK_STEP_S = 10;

/**
 * The video player: direct play with the native element, HLS through hls.js (or the browser's own HLS),
 * subtitles as text tracks, trickplay previews over the seek bar, and the resume point reported as it
 * plays and restored on the next visit.
 */
@Component({
  selector: 'mq-video-player-page',
  imports: [RouterLink, StatusMessage, Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './video-player.page.html',
  styleUrl: './video-player.page.css',
  host: { '(document:keydown)': 'keyboard($event)' },
})
export class VideoPlayerPage {
  private readonly api = inject(Api);
  readonly id = input.required<string>();
  readonly from = input<string | undefined>(undefined);

  private readonly video = viewChild<ElementRef<HTMLVideoElement>>('video');
  protected readonly item = new ResourceState<ItemDetail>();
  protected readonly playback = new ResourceState<PlaybackInfo>();
  protected readonly playing = signal(false);
  protected readonly positionMs = signal(0);
  protected readonly durationMs = signal(0);
  protected readonly volume = signal(1);
  protected readonly muted = signal(false);
  protected readonly subtitle = signal<string>('');
  protected readonly mediaError = signal<string | null>(null);
  protected readonly preview = signal<{ cue: TrickplayCue; leftPercent: number } | null>(null);
  private readonly cues = signal<TrickplayCue[]>([]);
  protected readonly hasTrickplay = computed(() => this.cues().length > 0);
  protected readonly method = computed(() => this.playback.value()?.decision.method ?? null);
  protected readonly clock = formatDuration;

  private hls: Hls | null = null;
  private lastReport = 0;
  private resumeAt = 0;
  private usedHls = false;

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => void this.start(id));
    });
    inject(DestroyRef).onDestroy(() => this.teardown());
  }

  private async start(id: string): Promise<void> {
    this.teardown();
    const [item, playback] = await Promise.all([
      this.item.load(() => this.api.get<ItemDetail>(`items/${id}`)),
      this.playback.load(() => this.api.get<PlaybackInfo>(`items/${id}/playback`, { query: capabilitiesQuery(browserCapabilities()) })),
    ]);
    if (!item || !playback) return;
    this.durationMs.set(playback.durationMs ?? item.durationMs ?? 0);
    this.resumeAt = this.from() === 'start' ? 0 : (item.userData?.positionMs ?? 0);
    // The <video> exists once the playback info rendered it.
    await Promise.resolve();
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const video = this.video()?.nativeElement;
    if (!video) return;
    if (playback.decision.method === 'hls' && playback.hlsUrl) await this.attachHls(video, playback.hlsUrl);
    else video.src = playback.directUrl;
    if (playback.trickplay) void this.loadTrickplay(playback.trickplay.url);
  }

  private async attachHls(video: HTMLVideoElement, url: string): Promise<void> {
    this.usedHls = true;
    const { default: HlsPlayer } = await import('hls.js');
    if (HlsPlayer.isSupported()) {
      // No worker: the Content-Security-Policy admits same-origin scripts only, not blob: workers.
      const hls = new HlsPlayer({ enableWorker: false, startPosition: this.resumeAt / 1000 });
      hls.on(HlsPlayer.Events.ERROR, (_event, data) => {
        if (data.fatal) this.mediaError.set(`Playback failed: ${data.details}`);
      });
      hls.loadSource(url);
      hls.attachMedia(video);
      this.hls = hls;
      this.resumeAt = 0;
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
    } else {
      this.mediaError.set('This browser cannot play this video: it supports neither the file nor HLS.');
    }
  }

  private async loadTrickplay(url: string): Promise<void> {
    try {
      const response = await fetch(url, { cache: 'force-cache' });
      if (!response.ok) return;
      this.cues.set(parseTrickplayVtt(await response.text(), new URL(url, location.href).toString()));
    } catch {
      // Previews are a nicety; the seek bar works without them.
    }
  }

  protected metadataLoaded(video: HTMLVideoElement): void {
    if (Number.isFinite(video.duration)) this.durationMs.set(video.duration * 1000);
    if (this.resumeAt > 0) video.currentTime = this.resumeAt / 1000;
    this.resumeAt = 0;
    video.play().catch(() => this.playing.set(false));
  }

  protected timeUpdate(video: HTMLVideoElement): void {
    this.positionMs.set(video.currentTime * 1000);
    if (!video.paused && Date.now() - this.lastReport > PROGRESS_REPORT_MS) this.report();
  }

  protected mediaFailed(video: HTMLVideoElement): void {
    if (this.hls) return;
    const code = video.error?.code;
    this.mediaError.set(code === 4 ? 'This video format cannot be played here.' : 'The video could not be loaded.');
  }

  protected toggle(): void {
    const video = this.video()?.nativeElement;
    if (!video) return;
    if (video.paused) void video.play().catch((e: unknown) => this.mediaError.set(e instanceof Error ? e.message : String(e)));
    else video.pause();
  }

  protected paused(video: HTMLVideoElement): void {
    this.playing.set(false);
    this.positionMs.set(video.currentTime * 1000);
    this.report();
  }

  protected seekTo(ms: number): void {
    const video = this.video()?.nativeElement;
    if (!video) return;
    video.currentTime = Math.max(0, Math.min(ms, this.durationMs())) / 1000;
    this.positionMs.set(video.currentTime * 1000);
  }

  protected hover(event: PointerEvent, bar: HTMLElement): void {
    const cues = this.cues();
    if (!cues.length) return;
    const rect = bar.getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
    const cue = cueAt(cues, fraction * this.durationMs());
    this.preview.set(cue ? { cue, leftPercent: fraction * 100 } : null);
  }

  protected setVolume(value: number): void {
    const video = this.video()?.nativeElement;
    this.volume.set(value);
    if (video) {
      video.volume = value;
      video.muted = value === 0;
    }
  }

  protected toggleMute(): void {
    const video = this.video()?.nativeElement;
    if (!video) return;
    video.muted = !video.muted;
    this.muted.set(video.muted);
  }

  protected chooseSubtitle(id: string): void {
    this.subtitle.set(id);
    const video = this.video()?.nativeElement;
    if (!video) return;
    for (const track of Array.from(video.textTracks)) track.mode = track.id === `sub-${id}` ? 'showing' : 'disabled';
  }

  protected fullscreen(stage: HTMLElement): void {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void stage.requestFullscreen?.().catch(() => undefined);
  }

  protected keyboard(event: KeyboardEvent): void {
    const target = event.target as HTMLElement | null;
    if (target && ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(target.tagName)) return;
    if (event.key === ' ' || event.key === 'k') {
      event.preventDefault();
      this.toggle();
    } else if (event.key === 'ArrowRight') this.seekTo(this.positionMs() + SEEK_STEP_S * 1000);
    else if (event.key === 'ArrowLeft') this.seekTo(this.positionMs() - SEEK_STEP_S * 1000);
  }

  /** The resume point (at 90 % the server marks the item played and counts the play). */
  private report(): void {
    const id = this.item.value()?.id;
    const position = Math.round(this.positionMs());
    if (!id || position < 1000) return;
    this.lastReport = Date.now();
    void this.api.put(`items/${id}/user-data`, { positionMs: position }).catch(() => undefined);
  }

  protected ended(): void {
    this.playing.set(false);
    this.positionMs.set(this.durationMs());
    this.report();
  }

  private teardown(): void {
    const id = this.item.value()?.id;
    if (this.video()?.nativeElement && !this.video()!.nativeElement.paused) this.report();
    this.hls?.destroy();
    this.hls = null;
    // Ends this viewer's transcodes at once instead of waiting for their idle lease.
    if (this.usedHls && id) void this.api.delete(`stream/${id}/hls`).catch(() => undefined);
    this.usedHls = false;
    this.cues.set([]);
    this.mediaError.set(null);
  }
}
