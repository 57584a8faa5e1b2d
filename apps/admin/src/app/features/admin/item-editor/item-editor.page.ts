import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import {
  ARTWORK_KIND_NAMES,
  type ApplyScrapeResponse,
  type ArtworkCandidateView,
  type ArtworkKindName,
  type IdentifyCandidate,
  type IdentifyResponse,
  type ItemDetail,
  type ItemEditView,
  type PageOf,
} from '@marquee/contracts';
import { Api } from '../../../core/api.service';
import { formatRelative } from '../../../logic/format.js';
import { type ItemEditForm, changesOf, formProblem, toForm } from '../../../logic/item-edit-form.js';
import { ResourceState, attempt } from '../../../logic/resource-state.js';
import { StatusMessage } from '../../../ui/status-message.component';

/** The metadata editor: fields (an edited field is locked against rescans), locks, artwork, edit history. */
@Component({
  selector: 'mq-item-editor-page',
  imports: [FormsModule, RouterLink, StatusMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './item-editor.page.html',
  styleUrl: './item-editor.page.css',
})
export class ItemEditorPage {
  private readonly api = inject(Api);
  readonly id = input.required<string>();
  protected readonly item = new ResourceState<ItemDetail>();
  protected readonly edits = new ResourceState<PageOf<ItemEditView>>();
  protected readonly candidates = new ResourceState<ArtworkCandidateView[]>();
  protected readonly error = signal<string | null>(null);
  protected readonly saved = signal<string | null>(null);
  protected readonly artworkError = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly kinds = ARTWORK_KIND_NAMES;
  protected readonly ago = formatRelative;
  protected readonly identified = new ResourceState<IdentifyResponse>();
  protected readonly identifyNotice = signal<string | null>(null);
  protected readonly identifyError = signal<string | null>(null);
  protected identifyTitle = '';
  protected identifyYear: number | null = null;
  protected form: ItemEditForm | null = null;
  protected unlock: Record<string, boolean> = {};
  protected artworkKind: ArtworkKindName = 'poster';
  protected readonly locked = computed(() => this.item.value()?.lockedFields ?? []);

  protected readonly fields: { key: keyof ItemEditForm; label: string; type?: string; hint?: string }[] = [
    { key: 'title', label: 'Title' },
    { key: 'sortTitle', label: 'Sort title' },
    { key: 'originalTitle', label: 'Original title' },
    { key: 'year', label: 'Year', type: 'number' },
    { key: 'premiereDate', label: 'Premiere date', type: 'date' },
    { key: 'tagline', label: 'Tagline' },
    { key: 'genres', label: 'Genres', hint: 'comma-separated' },
    { key: 'tags', label: 'Tags', hint: 'comma-separated' },
    { key: 'studios', label: 'Studios', hint: 'comma-separated' },
    { key: 'communityRating', label: 'Community rating', type: 'number' },
    { key: 'criticRating', label: 'Critic rating', type: 'number' },
    { key: 'officialRating', label: 'Official rating', hint: 'e.g. PG-13' },
  ];

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => void this.load(id));
    });
  }

  private async load(id: string): Promise<void> {
    const item = await this.item.load(() => this.api.get<ItemDetail>(`items/${id}`));
    if (item) this.reset(item);
    void this.edits.load(() => this.api.get(`items/${id}/edits`, { query: { limit: 50 } }));
  }

  private reset(item: ItemDetail): void {
    this.form = toForm(item);
    this.unlock = {};
  }

  protected isLocked(field: string): boolean {
    return this.locked().includes(field);
  }

  protected describedBy(field: string, hint: boolean): string | null {
    const ids = [hint ? `hint-${field}` : '', this.isLocked(field) ? `lock-${field}` : ''].filter(Boolean);
    return ids.length ? ids.join(' ') : null;
  }

  protected async save(): Promise<void> {
    const item = this.item.value();
    if (!item || !this.form) return;
    this.saved.set(null);
    const problem = formProblem(this.form);
    if (problem) {
      this.error.set(problem);
      return;
    }
    const unlock = Object.entries(this.unlock)
      .filter(([, on]) => on)
      .map(([field]) => field);
    const changes = changesOf(item, this.form, unlock);
    if (Object.keys(changes).length === 0) {
      this.error.set('Nothing changed.');
      return;
    }
    this.busy.set(true);
    const ok = await attempt(this.error, async () => {
      const updated = await this.api.patch<ItemDetail>(`items/${item.id}`, changes);
      this.item.value.set(updated);
      this.reset(updated);
    });
    this.busy.set(false);
    if (ok) {
      this.saved.set('Saved. Edited fields are locked against rescans.');
      void this.edits.load(() => this.api.get(`items/${item.id}/edits`, { query: { limit: 50 } }));
    }
  }

  /** Asks every enabled scraper that knows this kind of item for candidates, best first. */
  protected identify(): void {
    const id = this.item.value()?.id;
    if (!id) return;
    this.identifyNotice.set(null);
    const body = { title: this.identifyTitle.trim() || undefined, year: this.identifyYear || undefined };
    void this.identified.load(() => this.api.post(`items/${id}/identify`, body));
  }

  /** Queues a metadata-import job with the candidate; unlocked fields take its values. */
  protected async apply(candidate: IdentifyCandidate): Promise<void> {
    const id = this.item.value()?.id;
    if (!id) return;
    await attempt(this.identifyError, async () => {
      const response = await this.api.post<ApplyScrapeResponse>(`items/${id}/apply-scrape`, {
        scraper: candidate.scraper,
        ref: candidate.ref,
      });
      this.identifyNotice.set(
        response.deduplicated
          ? 'That scrape is already queued.'
          : `Queued (job ${response.jobId}); unlocked fields take the candidate's values when it runs.`,
      );
    });
  }

  protected percent(score: number): string {
    return `${Math.round(score * 100)} %`;
  }

  protected loadCandidates(): void {
    const id = this.item.value()?.id;
    if (id) void this.candidates.load(() => this.api.get(`items/${id}/artwork-candidates`));
  }

  protected async upload(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    const id = this.item.value()?.id;
    if (!file || !id) return;
    if (await attempt(this.artworkError, () => this.api.put(`items/${id}/artwork/${this.artworkKind}`, file))) {
      input.value = '';
      await this.refreshItem(id);
    }
  }

  protected async choose(candidate: ArtworkCandidateView): Promise<void> {
    const id = this.item.value()?.id;
    if (!id) return;
    const kind = candidate.suggestedKind ?? this.artworkKind;
    if (await attempt(this.artworkError, () => this.api.put(`items/${id}/artwork/${kind}`, { candidate: candidate.id })))
      await this.refreshItem(id);
  }

  protected async removeArtwork(kind: ArtworkKindName): Promise<void> {
    const id = this.item.value()?.id;
    if (id && (await attempt(this.artworkError, () => this.api.delete(`items/${id}/artwork/${kind}`)))) await this.refreshItem(id);
  }

  private async refreshItem(id: string): Promise<void> {
    const item = await this.api.get<ItemDetail>(`items/${id}`);
    this.item.value.set(item);
    void this.edits.load(() => this.api.get(`items/${id}/edits`, { query: { limit: 50 } }));
  }

  protected describe(change: { before: unknown; after: unknown }): string {
    const show = (v: unknown) =>
      v === null || v === undefined || v === ''
        ? '∅'
        : Array.isArray(v)
          ? v.join(', ')
          : typeof v === 'object'
            ? JSON.stringify(v)
            : String(v);
    return `${show(change.before)} → ${show(change.after)}`;
  }

  protected entries(changes: Record<string, { before: unknown; after: unknown }>) {
    return Object.entries(changes);
  }
}
