import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { AuthService } from '../../core/auth.service';
import { attempt } from '../../logic/resource-state.js';
import { authPageStyles } from './auth-page.styles';

/**
 * First start: the first account registered becomes the administrator. Once one exists, the server
 * refuses further registrations (unless an admin opened them) and the page shows its reason.
 */
@Component({
  selector: 'mq-setup-page',
  imports: [FormsModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <main class="auth">
      <h1>Marquee</h1>
      <form (ngSubmit)="submit()" aria-labelledby="setup-title">
        <h2 id="setup-title">Create the administrator account</h2>
        <p class="hint">On a new server the first account becomes its administrator.</p>
        <label for="setup-username">Username</label>
        <input id="setup-username" name="username" autocomplete="username" required [(ngModel)]="username" />
        <label for="setup-display">Display name (optional)</label>
        <input id="setup-display" name="displayName" autocomplete="name" [(ngModel)]="displayName" />
        <label for="setup-password">Password</label>
        <input
          id="setup-password"
          name="password"
          type="password"
          autocomplete="new-password"
          required
          minlength="8"
          aria-describedby="setup-password-hint"
          [(ngModel)]="password"
        />
        <span id="setup-password-hint" class="hint">At least 8 characters; a long passphrase is best.</span>
        <label for="setup-confirm">Repeat the password</label>
        <input id="setup-confirm" name="confirm" type="password" autocomplete="new-password" required [(ngModel)]="confirm" />
        @if (error(); as message) {
          <p class="error" role="alert">{{ message }}</p>
        }
        <button type="submit" [disabled]="busy() || !username || !password">{{ busy() ? 'Creating…' : 'Create and sign in' }}</button>
      </form>
      <p class="aside">Already have an account? <a routerLink="/sign-in">Sign in</a>.</p>
    </main>
  `,
  styles: authPageStyles,
})
export class SetupPage {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  protected username = '';
  protected displayName = '';
  protected password = '';
  protected confirm = '';
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected async submit(): Promise<void> {
    if (this.password !== this.confirm) {
      this.error.set('The two passwords differ.');
      return;
    }
    this.busy.set(true);
    const ok = await attempt(this.error, () =>
      this.auth.register({ username: this.username.trim(), password: this.password, displayName: this.displayName.trim() || undefined }),
    );
    this.busy.set(false);
    if (ok) await this.router.navigateByUrl(this.auth.isAdmin() ? '/admin/libraries' : '/');
  }
}
