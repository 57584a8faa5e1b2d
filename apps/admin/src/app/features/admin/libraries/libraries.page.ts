import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { LIBRARY_KINDS, type LibraryKind, type LibraryView, type ScanLibraryResponse, type ServerSettingsView } from '@marquee/contracts';
import { Api } from '../../../core/api.service';
import { formatRelative } from '../../../logic/format.js';
import { ResourceState, attempt } from '../../../logic/resource-state.js';
import { StatusMessage } from '../../../ui/status-message.component';

/** Libraries: add one with its folders, add a folder, scan, probe again, remove. */
@Component({
  selector: 'mq-libraries-page',
  imports: [FormsModule, RouterLink, StatusMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Libraries</h1>
    <section aria-labelledby="new-library-title">
      <h2 id="new-library-title">Add a library</h2>
      <form class="inline" (ngSubmit)="create()">
        <label>Name <input name="name" required [(ngModel)]="name" /></label>
        <label
          >Kind
          <select name="kind" [(ngModel)]="kind">
            @for (k of kinds; track k) {
              <option [value]="k">{{ k }}</option>
            }
          </select>
        </label>
        <label class="grow"
          >Folder on the server <input name="folder" required [(ngModel)]="folder" placeholder="/srv/media/films"
        /></label>
        <button type="submit" [disabled]="!name.trim() || !folder.trim()">Add and scan</button>
      </form>
      @if (settings.value(); as s) {
        <label>
          <input type="checkbox" [checked]="s.videoPhash" (change)="toggleVideoPhash(s.videoPhash)" />
          Fingerprint videos with a perceptual hash too (finds re-encoded copies; one more ffmpeg run per video)
        </label>
      } @else if (settings.error(); as e) {
        <p class="error-text" role="alert">Whether videos get a perceptual hash could not be loaded: {{ e }}</p>
      }
    </section>
    @if (error(); as e) {
      <p class="error-text" role="alert">{{ e }}</p>
    }
    @if (notice(); as n) {
      <p class="ok" role="status">{{ n }}</p>
    }
    <mq-status
      [loading]="libraries.loading() && !libraries.value()"
      [error]="libraries.error()"
      [empty]="libraries.value()?.length === 0"
      emptyText="No library yet: add a folder above."
    />
    @for (l of libraries.value() ?? []; track l.id) {
      <article class="card" [attr.aria-labelledby]="'lib-' + l.id">
        <h2 [id]="'lib-' + l.id">
          {{ l.name }} <span class="muted">({{ l.kind }}, {{ l.itemCount }} {{ l.itemCount === 1 ? 'item' : 'items' }})</span>
        </h2>
        <p class="muted">Last scanned {{ l.lastScannedAt ? ago(l.lastScannedAt) : 'never' }}</p>
        <ul>
          @for (f of l.folders; track f) {
            <li>
              <code>{{ f }}</code>
            </li>
          }
        </ul>
        <form class="inline" (ngSubmit)="addFolder(l, extra[l.id] ?? '')">
          <label class="grow"
            >Add a folder <span class="visually-hidden">to {{ l.name }}</span>
            <input [name]="'folder-' + l.id" [(ngModel)]="extra[l.id]" placeholder="/srv/media/more" />
          </label>
          <button type="submit" class="secondary" [disabled]="!(extra[l.id] ?? '').trim()" [attr.aria-label]="'Add folder to ' + l.name">
            Add folder
          </button>
        </form>
        <div class="actions">
          <button type="button" (click)="scan(l)" [attr.aria-label]="'Scan now ' + l.name">Scan now</button>
          <button
            type="button"
            class="secondary"
            (click)="reprobe(l)"
            [attr.aria-label]="'Probe again ' + l.name"
            title="Read every video and audio file's streams again (after an upgrade that records more, such as a video's rotation)"
          >
            Probe again
          </button>
          <a routerLink="/admin/jobs">Jobs</a>
          <button type="button" class="danger" (click)="remove(l)" [attr.aria-label]="'Remove ' + l.name">Remove</button>
        </div>
      </article>
    }
  `,
  styles: `
    .grow {
      flex: 1 1 16rem;
    }
  `,
})
export class LibrariesPage {
  private readonly api = inject(Api);
  protected readonly kinds = LIBRARY_KINDS;
  protected readonly ago = formatRelative;
  protected readonly libraries = new ResourceState<LibraryView[]>();
  protected readonly settings = new ResourceState<ServerSettingsView>();
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected name = '';
  protected kind: LibraryKind = 'mixed';
  protected folder = '';
  protected extra: Partial<Record<string, string>> = {};

  constructor() {
    this.reload();
    void this.settings.load(() => this.api.get('settings'));
  }

  private reload(): void {
    void this.libraries.load(() => this.api.get('libraries'));
  }

  protected async create(): Promise<void> {
    const ok = await attempt(this.error, () =>
      this.api.post('libraries', { name: this.name.trim(), kind: this.kind, folders: [this.folder.trim()] }),
    );
    if (ok) {
      this.notice.set(`Library ${this.name.trim()} added; its first scan is queued.`);
      this.name = '';
      this.folder = '';
      this.reload();
    }
  }

  protected async addFolder(library: LibraryView, folder: string): Promise<void> {
    const ok = await attempt(this.error, () => this.api.patch(`libraries/${library.id}`, { folders: [...library.folders, folder.trim()] }));
    if (ok) {
      this.extra[library.id] = '';
      this.notice.set(`Folder added to ${library.name}; a scan is queued.`);
      this.reload();
    }
  }

  protected async scan(library: LibraryView): Promise<void> {
    await attempt(this.error, async () => {
      const result = await this.api.post<ScanLibraryResponse>(`libraries/${library.id}/scan`);
      this.notice.set(result.deduplicated ? `A scan of ${library.name} is already queued.` : `Scan of ${library.name} queued.`);
    });
  }

  protected async reprobe(library: LibraryView): Promise<void> {
    await attempt(this.error, async () => {
      const result = await this.api.post<ScanLibraryResponse>(`libraries/${library.id}/reprobe`);
      this.notice.set(
        result.deduplicated ? `${library.name} is already queued to be probed again.` : `${library.name} is queued to be probed again.`,
      );
    });
  }

  protected async toggleVideoPhash(on: boolean): Promise<void> {
    await attempt(this.error, async () => {
      this.settings.value.set(await this.api.patch<ServerSettingsView>('settings', { videoPhash: !on }));
      this.notice.set(
        on ? 'Videos are fingerprinted without a perceptual hash from now on.' : 'New and changed videos get a perceptual hash.',
      );
    });
  }

  protected async remove(library: LibraryView): Promise<void> {
    if (!confirm(`Remove the library ${library.name}? Its items go; the files on disk stay.`)) return;
    if (await attempt(this.error, () => this.api.delete(`libraries/${library.id}`))) this.reload();
  }
}
