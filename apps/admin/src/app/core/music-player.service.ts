import { Injectable, computed, effect, inject, signal, untracked } from '@angular/core';
import type { ItemDetail, ItemSummary, PlaybackInfo, PlayQueueView, ScrobbleResponse } from '@marquee/contracts';
import { audioFormatBadge } from '../logic/format.js';
import { capabilitiesQuery } from '../logic/playback-capabilities.js';
import {
  type QueueState,
  currentEntry,
  emptyQueue,
  enqueue,
  hasNext,
  jumpTo,
  next,
  previous,
  removeAt,
  startQueue,
} from '../logic/play-queue-state.js';
import { Api } from './api.service';
import { AuthService } from './auth.service';
import { browserCapabilities } from './media-capabilities';

const PROGRESS_REPORT_MS = 15_000;

/**
 * The music player: one <audio> element owned here (not by a component), so playback carries on
 * across navigation. Its queue is also the account's play queue on the server (`me/queue`), so a
 * sign-in elsewhere picks it up where it was; it reports progress as the resume point and scrobbles a
 * finished or skipped track to the history.
 */
@Injectable({ providedIn: 'root' })
export class MusicPlayerService {
  private readonly api = inject(Api);
  private audio: HTMLAudioElement | null = null;
  private lastReport = 0;
  private playedMs = 0;
  private lastTick: number | null = null;
  private loadToken = 0;
  /** Where a restored queue's track was, applied once its metadata is loaded. */
  private resumeAtMs = 0;

  readonly queue = signal<QueueState<ItemSummary>>(emptyQueue());
  readonly current = computed(() => currentEntry(this.queue()));
  readonly canNext = computed(() => hasNext(this.queue()));
  readonly playing = signal(false);
  readonly positionMs = signal(0);
  readonly durationMs = signal(0);
  readonly volume = signal(1);
  readonly badge = signal<string | null>(null);
  readonly error = signal<string | null>(null);

  constructor() {
    // Signing in picks up the account's queue; signing out (or a session that ended) stops the music.
    const auth = inject(AuthService);
    effect(() => {
      const signedIn = auth.signedIn();
      untracked(() => (signedIn ? void this.restore() : this.halt()));
    });
  }

  /** Plays these tracks from `start`, replacing the queue. */
  playAll(tracks: readonly ItemSummary[], start = 0): void {
    const playable = tracks.filter((t) => t.type === 'track');
    if (!playable.length) return;
    const startAt = Math.max(0, playable.indexOf(tracks[start]));
    this.queue.set(startQueue(playable, startAt));
    this.sync('replace');
    void this.load(true);
  }

  add(tracks: readonly ItemSummary[], where: 'next' | 'last'): void {
    const wasEmpty = this.queue().current < 0;
    const playable = tracks.filter((t) => t.type === 'track');
    this.queue.update((q) => enqueue(q, playable, where));
    this.sync('replace', wasEmpty ? 0 : this.positionMs());
    if (wasEmpty) void this.load(true);
  }

  toggle(): void {
    const audio = this.audio;
    if (!audio || !this.current()) return;
    if (audio.paused) void audio.play().catch((e: unknown) => this.error.set(String(e)));
    else audio.pause();
  }

  nextTrack(): void {
    if (!this.canNext()) return;
    this.finishTrack();
    this.queue.update(next);
    this.sync('position');
    void this.load(true);
  }

  previousTrack(): void {
    const { state, restart } = previous(this.queue(), this.positionMs());
    if (restart) {
      this.seek(0);
      return;
    }
    this.finishTrack();
    this.queue.set(state);
    this.sync('position');
    void this.load(true);
  }

  jump(index: number): void {
    this.finishTrack();
    this.queue.update((q) => jumpTo(q, index));
    this.sync('position');
    void this.load(true);
  }

  remove(index: number): void {
    const playingRemoved = index === this.queue().current;
    this.queue.update((q) => removeAt(q, index));
    if (!this.current()) {
      this.stop();
      return;
    }
    this.sync('replace', playingRemoved ? 0 : this.positionMs());
    if (playingRemoved) void this.load(!this.audio?.paused);
  }

  seek(ms: number): void {
    if (this.audio) this.audio.currentTime = ms / 1000;
    this.positionMs.set(ms);
  }

  setVolume(volume: number): void {
    const v = Math.min(1, Math.max(0, volume));
    this.volume.set(v);
    if (this.audio) this.audio.volume = v;
  }

  /** Stops and empties the queue, here and on the server. */
  stop(): void {
    this.finishTrack();
    if (this.current()) this.sync('clear');
    this.halt();
  }

  /** Picks up the account's queue (paused, at its position), as another device left it. */
  private async restore(): Promise<void> {
    if (this.current()) return;
    try {
      const saved = await this.api.get<PlayQueueView>('me/queue', { query: { limit: 1000 } });
      const items = saved.entries.items.map((entry) => entry.item).filter((item) => item.type === 'track');
      if (!items.length || saved.currentIndex === null || this.current()) return;
      this.queue.set(startQueue(items, Math.min(saved.currentIndex, items.length - 1)));
      this.resumeAtMs = saved.positionMs;
      await this.load(false);
    } catch {
      // Without the saved queue the player simply starts empty.
    }
  }

  /** Tells the server about the queue (best effort: the local player is the truth meanwhile). */
  private sync(change: 'replace' | 'position' | 'clear', positionMs = 0): void {
    const q = this.queue();
    const position = Math.round(positionMs);
    const call =
      change === 'clear'
        ? this.api.delete('me/queue')
        : change === 'replace'
          ? this.api.put('me/queue', { itemIds: q.entries.map((t) => t.id), currentIndex: Math.max(0, q.current), positionMs: position })
          : this.api.patch('me/queue', { currentIndex: q.current, positionMs: position });
    void call.catch(() => undefined);
  }

  /** Stops playing without touching the server's queue (signing out keeps it for the next sign-in). */
  private halt(): void {
    this.playedMs = 0;
    this.resumeAtMs = 0;
    this.loadToken++;
    this.audio?.pause();
    this.audio?.removeAttribute('src');
    this.audio?.load();
    this.queue.set(emptyQueue());
    this.playing.set(false);
    this.badge.set(null);
  }

  private element(): HTMLAudioElement {
    if (this.audio) return this.audio;
    const audio = new Audio();
    audio.preload = 'auto';
    audio.volume = this.volume();
    audio.addEventListener('play', () => this.playing.set(true));
    audio.addEventListener('pause', () => this.playing.set(false));
    audio.addEventListener('durationchange', () => this.durationMs.set(Number.isFinite(audio.duration) ? audio.duration * 1000 : 0));
    audio.addEventListener('loadedmetadata', () => {
      if (this.resumeAtMs > 0) audio.currentTime = this.resumeAtMs / 1000;
      this.positionMs.set(this.resumeAtMs);
      this.resumeAtMs = 0;
    });
    audio.addEventListener('timeupdate', () => this.tick(audio));
    audio.addEventListener('ended', () => {
      this.finishTrack(true);
      if (this.canNext()) {
        this.queue.update(next);
        this.sync('position');
        void this.load(true);
      } else this.playing.set(false);
    });
    audio.addEventListener('error', () => {
      if (audio.getAttribute('src')) this.error.set('This track cannot be played.');
    });
    this.audio = audio;
    return audio;
  }

  private tick(audio: HTMLAudioElement): void {
    const ms = audio.currentTime * 1000;
    const now = Date.now();
    if (this.lastTick !== null && !audio.paused) this.playedMs += Math.min(2000, now - this.lastTick);
    this.lastTick = audio.paused ? null : now;
    this.positionMs.set(ms);
    const track = this.current();
    if (track && !audio.paused && now - this.lastReport > PROGRESS_REPORT_MS) {
      this.lastReport = now;
      void this.api.put(`items/${track.id}/user-data`, { positionMs: Math.round(ms) }).catch(() => undefined);
      this.sync('position', ms);
    }
  }

  /** Scrobbles what was played of the current track (the server decides whether it counts). */
  private finishTrack(ended = false): void {
    const track = this.current();
    const playedMs = Math.round(ended ? Math.max(this.playedMs, this.durationMs()) : this.playedMs);
    this.playedMs = 0;
    this.lastTick = null;
    if (!track || playedMs < 1000) return;
    void this.api.post<ScrobbleResponse>('me/history', { itemId: track.id, playedMs }).catch(() => undefined);
  }

  private async load(autoplay: boolean): Promise<void> {
    const track = this.current();
    if (!track) return;
    const token = ++this.loadToken;
    const audio = this.element();
    this.error.set(null);
    this.positionMs.set(this.resumeAtMs);
    this.durationMs.set(track.durationMs ?? 0);
    this.badge.set(null);
    try {
      const [playback, detail] = await Promise.all([
        this.api.get<PlaybackInfo>(`items/${track.id}/playback`, { query: capabilitiesQuery(browserCapabilities()) }),
        this.api.get<ItemDetail>(`items/${track.id}`),
      ]);
      if (token !== this.loadToken) return;
      const stream = detail.files[0]?.streams.find((s) => s.type === 'audio');
      this.badge.set(stream ? audioFormatBadge({ bitDepth: stream.bitDepth, sampleRate: stream.sampleRate }) : null);
      audio.src = playback.directUrl;
      if (autoplay) await audio.play();
    } catch (error) {
      if (token === this.loadToken) this.error.set(error instanceof Error ? error.message : String(error));
    }
  }
}
