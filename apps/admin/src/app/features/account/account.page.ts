import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { API_KEY_SCOPE_NAMES, type ApiKeyScopeName, type ApiKeyView, type CreatedApiKeyView, type SessionView } from '@marquee/contracts';
import { Api } from '../../core/api.service';
import { AuthService } from '../../core/auth.service';
import { formatRelative } from '../../logic/format.js';
import { ResourceState, attempt } from '../../logic/resource-state.js';
import { StatusMessage } from '../../ui/status-message.component';

/** Your account: password, signed-in sessions, API keys. */
@Component({
  selector: 'mq-account-page',
  imports: [FormsModule, StatusMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './account.page.html',
  styles: `
    section {
      margin-bottom: 2.5rem;
      max-width: 60rem;
    }
    form {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem 1rem;
      align-items: end;
    }
    form label {
      display: flex;
      flex-direction: column;
      font-weight: 600;
      font-size: 0.9rem;
    }
    fieldset {
      border: 1px solid var(--mq-muted);
      border-radius: 6px;
      display: flex;
      gap: 0.75rem;
    }
    fieldset label {
      flex-direction: row;
      gap: 0.25rem;
      font-weight: 400;
    }
    .key {
      padding: 0.75rem;
      border: 2px solid var(--mq-ok);
      border-radius: 6px;
      word-break: break-all;
    }
  `,
})
export class AccountPage {
  private readonly api = inject(Api);
  protected readonly auth = inject(AuthService);
  protected readonly ago = formatRelative;
  protected readonly scopes = API_KEY_SCOPE_NAMES;

  protected currentPassword = '';
  protected newPassword = '';
  protected readonly passwordError = signal<string | null>(null);
  protected readonly passwordDone = signal(false);

  protected readonly sessions = new ResourceState<SessionView[]>();
  protected readonly sessionError = signal<string | null>(null);

  protected readonly keys = new ResourceState<ApiKeyView[]>();
  protected readonly keyError = signal<string | null>(null);
  protected readonly created = signal<CreatedApiKeyView | null>(null);
  protected keyName = '';
  protected keyScopes: Record<ApiKeyScopeName, boolean> = { read: true, stream: true, write: false, admin: false };

  constructor() {
    this.loadSessions();
    this.loadKeys();
  }

  private loadSessions(): void {
    void this.sessions.load(() => this.api.get('sessions'));
  }

  private loadKeys(): void {
    void this.keys.load(() => this.api.get('api-keys'));
  }

  protected async changePassword(): Promise<void> {
    this.passwordDone.set(false);
    const ok = await attempt(this.passwordError, () =>
      this.api.put('auth/me/password', { currentPassword: this.currentPassword, newPassword: this.newPassword }),
    );
    if (ok) {
      this.currentPassword = '';
      this.newPassword = '';
      this.passwordDone.set(true);
      this.loadSessions();
    }
  }

  protected async revokeSession(session: SessionView): Promise<void> {
    if (session.current) {
      await this.auth.signOut();
      return;
    }
    if (await attempt(this.sessionError, () => this.api.delete(`sessions/${session.id}`))) this.loadSessions();
  }

  protected async createKey(): Promise<void> {
    const scopes = this.scopes.filter((s) => this.keyScopes[s]);
    const ok = await attempt(this.keyError, async () => {
      this.created.set(await this.api.post<CreatedApiKeyView>('api-keys', { name: this.keyName.trim(), scopes }));
    });
    if (ok) {
      this.keyName = '';
      this.loadKeys();
    }
  }

  protected async revokeKey(key: ApiKeyView): Promise<void> {
    if (!confirm(`Revoke the key “${key.name}”? Clients using it stop working at once.`)) return;
    if (await attempt(this.keyError, () => this.api.delete(`api-keys/${key.id}`))) {
      if (this.created()?.id === key.id) this.created.set(null);
      this.loadKeys();
    }
  }

  protected async copy(text: string): Promise<void> {
    await navigator.clipboard?.writeText(text).catch(() => undefined);
  }
}
