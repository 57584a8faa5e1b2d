import { ChangeDetectionStrategy, Component, ElementRef, afterNextRender, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import type { RegistrationState } from '@marquee/contracts';
import { Api } from '../../core/api.service';
import { AuthService } from '../../core/auth.service';
import { attempt } from '../../logic/resource-state.js';
import { authPageStyles } from './auth-page.styles';

/** Sign-in for every user; a server without any account sends the visitor on to create its administrator. */
@Component({
  selector: 'mq-sign-in-page',
  imports: [FormsModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <main class="auth">
      <h1>Marquee</h1>
      <form (ngSubmit)="submit()" aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">Sign in</h2>
        @if (auth.endedReason(); as reason) {
          <p class="notice" role="status">{{ reason }}</p>
        }
        @if (registrationError(); as problem) {
          <p class="error" role="alert">Could not check whether this server is new: {{ problem }}</p>
        }
        <label for="username">Username or email</label>
        <input id="username" name="username" autocomplete="username" required [(ngModel)]="username" />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required [(ngModel)]="password" />
        @if (error(); as message) {
          <p class="error" role="alert">{{ message }}</p>
        }
        <button type="submit" [disabled]="busy() || !username || !password">{{ busy() ? 'Signing in…' : 'Sign in' }}</button>
      </form>
      @if (firstAccount()) {
        <p class="aside">First start of this server? <a routerLink="/setup">Create the administrator account</a>.</p>
      }
    </main>
  `,
  styles: authPageStyles,
})
export class SignInPage {
  protected readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
  protected username = '';
  protected password = '';
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly firstAccount = signal(false);
  protected readonly registrationError = signal<string | null>(null);

  constructor() {
    // Not knowing (the server unreachable, say) leaves the sign-in form usable, and says why.
    const api = inject(Api);
    void attempt(this.registrationError, async () => {
      const state = await api.get<RegistrationState>('auth/registration');
      this.firstAccount.set(state.firstAccount);
      if (state.firstAccount) await this.router.navigateByUrl('/setup', { replaceUrl: true });
    });
    // Focus starts in the form (the autofocus attribute does not apply to an element rendered after load).
    afterNextRender(() => this.host.querySelector<HTMLInputElement>('#username')?.focus());
  }

  protected async submit(): Promise<void> {
    this.busy.set(true);
    const ok = await attempt(this.error, () => this.auth.signIn(this.username.trim(), this.password));
    this.busy.set(false);
    if (ok) {
      const next = this.route.snapshot.queryParamMap.get('next');
      await this.router.navigateByUrl(next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
    }
  }
}
