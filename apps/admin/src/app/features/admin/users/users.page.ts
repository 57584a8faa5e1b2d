import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { type AccountView, type PageOf, type ServerSettingsView, USER_ROLES, type UserRole } from '@marquee/contracts';
import { Api } from '../../../core/api.service';
import { AuthService } from '../../../core/auth.service';
import { formatRelative } from '../../../logic/format.js';
import { ResourceState, attempt } from '../../../logic/resource-state.js';
import { StatusMessage } from '../../../ui/status-message.component';

/** Accounts: create, change role, disable, reset a password, delete; open or close self-registration. */
@Component({
  selector: 'mq-users-page',
  imports: [FormsModule, StatusMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Users</h1>
    <section aria-labelledby="new-user-title">
      <h2 id="new-user-title">New account</h2>
      <form class="inline" (ngSubmit)="create()">
        <label>Username <input name="username" required autocomplete="off" [(ngModel)]="username" /></label>
        <label
          >Password <input name="password" type="password" required minlength="8" autocomplete="new-password" [(ngModel)]="password"
        /></label>
        <label
          >Role
          <select name="role" [(ngModel)]="role">
            @for (r of roles; track r) {
              <option [value]="r">{{ r }}</option>
            }
          </select>
        </label>
        <button type="submit" [disabled]="!username || !password">Create</button>
      </form>
      @if (settings.value(); as s) {
        <label class="registration">
          <input type="checkbox" [checked]="s.registrationOpen" (change)="toggleRegistration(s.registrationOpen)" />
          Anyone may register an account on the sign-in page
        </label>
      } @else if (settings.error(); as e) {
        <p class="error-text" role="alert">Whether anyone may register could not be loaded: {{ e }}</p>
      }
    </section>
    @if (error(); as e) {
      <p class="error-text" role="alert">{{ e }}</p>
    }
    @if (notice(); as n) {
      <p class="ok" role="status">{{ n }}</p>
    }
    <mq-status
      [loading]="users.loading() && !users.value()"
      [error]="users.error()"
      [empty]="users.value()?.items?.length === 0"
      emptyText="No accounts."
    />
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          @for (u of users.value()?.items ?? []; track u.id) {
            <tr>
              <td>
                {{ u.username }}
                @if (u.displayName) {
                  <span class="muted">({{ u.displayName }})</span>
                }
              </td>
              <td>
                <label class="visually-hidden" [for]="'role-' + u.id">Role of {{ u.username }}</label>
                <select
                  [id]="'role-' + u.id"
                  [value]="u.role"
                  (change)="update(u, { role: $any($event.target).value })"
                  [disabled]="u.id === me()"
                >
                  @for (r of roles; track r) {
                    <option [value]="r">{{ r }}</option>
                  }
                </select>
              </td>
              <td>{{ u.disabled ? 'disabled' : 'active' }}</td>
              <td>{{ ago(u.createdAt) }}</td>
              <td class="actions">
                @if (u.id !== me()) {
                  <button
                    type="button"
                    class="secondary"
                    (click)="update(u, { disabled: !u.disabled })"
                    [attr.aria-label]="(u.disabled ? 'Enable ' : 'Disable ') + u.username"
                  >
                    {{ u.disabled ? 'Enable' : 'Disable' }}
                  </button>
                  <button type="button" class="secondary" (click)="resetPassword(u)" [attr.aria-label]="'Reset password of ' + u.username">
                    Reset password
                  </button>
                  <button type="button" class="danger" (click)="remove(u)" [attr.aria-label]="'Delete ' + u.username">Delete</button>
                } @else {
                  <span class="muted">you</span>
                }
              </td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
  styles: `
    .registration {
      display: block;
      margin: 1rem 0;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem;
    }
  `,
})
export class UsersPage {
  private readonly api = inject(Api);
  private readonly auth = inject(AuthService);
  protected readonly me = computed(() => this.auth.account()?.id);
  protected readonly roles = USER_ROLES;
  protected readonly ago = formatRelative;
  protected readonly users = new ResourceState<PageOf<AccountView>>();
  protected readonly settings = new ResourceState<ServerSettingsView>();
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected username = '';
  protected password = '';
  protected role: UserRole = 'user';

  constructor() {
    this.reload();
    void this.settings.load(() => this.api.get('settings'));
  }

  private reload(): void {
    void this.users.load(() => this.api.get('users', { query: { limit: 500 } }));
  }

  protected async create(): Promise<void> {
    const ok = await attempt(this.error, () =>
      this.api.post('users', { username: this.username.trim(), password: this.password, role: this.role }),
    );
    if (ok) {
      this.notice.set(`Account ${this.username.trim()} created.`);
      this.username = '';
      this.password = '';
      this.reload();
    }
  }

  protected async update(user: AccountView, changes: Partial<Pick<AccountView, 'role' | 'disabled'>>): Promise<void> {
    if (await attempt(this.error, () => this.api.patch(`users/${user.id}`, changes))) this.reload();
  }

  protected async resetPassword(user: AccountView): Promise<void> {
    const password = prompt(`New password for ${user.username} (at least 8 characters). Their sessions end.`);
    if (!password) return;
    if (await attempt(this.error, () => this.api.patch(`users/${user.id}`, { password })))
      this.notice.set(`Password of ${user.username} reset.`);
  }

  protected async remove(user: AccountView): Promise<void> {
    if (!confirm(`Delete the account ${user.username} and everything that is theirs?`)) return;
    if (await attempt(this.error, () => this.api.delete(`users/${user.id}`))) this.reload();
  }

  protected async toggleRegistration(open: boolean): Promise<void> {
    await attempt(this.error, async () => {
      this.settings.value.set(await this.api.patch<ServerSettingsView>('settings', { registrationOpen: !open }));
    });
  }
}
