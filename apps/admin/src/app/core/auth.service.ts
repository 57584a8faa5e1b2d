import { Injectable, computed, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { type AccountView, REFRESH_TOKEN_TRANSPORT, type RegisterRequest, type SignInResponse } from '@marquee/contracts';
import { RefreshGate } from '../logic/refresh-gate.js';
import { ApiError } from '../logic/api-error.js';
import { Api } from './api.service';

const COOKIE_TRANSPORT = { [REFRESH_TOKEN_TRANSPORT.header]: REFRESH_TOKEN_TRANSPORT.cookie };
/** Serialises refreshes across tabs: the refresh cookie works once, and every tab shares it. */
const REFRESH_LOCK = 'marquee-token-refresh';
/**
 * Remembers (not a secret: the token stays in its cookie) that this browser has a session, so a
 * visitor who never signed in is not sent a refresh that can only fail.
 */
const SESSION_HINT = 'marquee.signedIn';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/**
 * Who is signed in. The access token lives in memory only; the refresh token lives in the httpOnly,
 * SameSite=Strict cookie the API sets for browsers (script never sees it), so a reload signs back in
 * with one refresh.
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private token: string | null = null;
  /** Why the last refresh failed when the session itself may still be good (429, 5xx, offline). */
  private refreshFailure: string | null = null;
  private readonly gate = new RefreshGate(() => this.lockedRefresh());

  readonly account = signal<AccountView | null>(null);
  readonly signedIn = computed(() => this.account() !== null);
  readonly isAdmin = computed(() => this.account()?.role === 'admin');
  /** Set when a session ended on its own (expired or revoked), for the sign-in page to say so. */
  readonly endedReason = signal<string | null>(null);

  accessToken(): string | null {
    return this.token;
  }

  /** At start: a refresh cookie from an earlier visit signs back in. */
  async restore(): Promise<void> {
    if (!storage()?.getItem(SESSION_HINT)) return;
    if (!(await this.refresh()) && this.refreshFailure) this.endedReason.set(this.refreshFailure);
  }

  async signIn(username: string, password: string): Promise<AccountView> {
    const response = await this.api.post<SignInResponse>(
      'auth/login',
      { username, password },
      { headers: COOKIE_TRANSPORT, skipAuthRetry: true },
    );
    this.accept(response);
    this.endedReason.set(null);
    return response.user;
  }

  /** Creates an account (the first one becomes the admin), then signs in with it. */
  async register(request: RegisterRequest): Promise<AccountView> {
    await this.api.post<AccountView>('auth/register', request, { skipAuthRetry: true });
    return this.signIn(request.username, request.password);
  }

  /** A new access token from the refresh cookie; false (and signed out locally) when the session is over. */
  refresh(): Promise<boolean> {
    return this.gate.run();
  }

  async signOut(): Promise<void> {
    if (this.token) await this.api.post('auth/logout', {}, { skipAuthRetry: true }).catch(() => undefined);
    this.clear();
    await this.router.navigateByUrl('/sign-in');
  }

  /** The session ended under us (a refresh was refused): back to the sign-in page. */
  expire(reason = this.refreshFailure ?? 'Your session has ended. Sign in again.'): void {
    if (!this.account()) return;
    this.clear();
    this.endedReason.set(reason);
    void this.router.navigate(['/sign-in'], { queryParams: { next: this.router.url } });
  }

  private clear(): void {
    this.token = null;
    this.account.set(null);
    storage()?.removeItem(SESSION_HINT);
  }

  private accept(response: SignInResponse): void {
    this.token = response.accessToken;
    this.account.set(response.user);
    storage()?.setItem(SESSION_HINT, '1');
  }

  private lockedRefresh(): Promise<boolean> {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    return locks ? locks.request(REFRESH_LOCK, () => this.refreshOnce()).then((refreshed) => refreshed) : this.refreshOnce();
  }

  private async refreshOnce(): Promise<boolean> {
    this.refreshFailure = null;
    try {
      const response = await this.api.post<SignInResponse>('auth/refresh', {}, { headers: COOKIE_TRANSPORT, skipAuthRetry: true });
      this.accept(response);
      return true;
    } catch (error) {
      // Not the end of the session (rate limited, server down): the cookie stays for the next try.
      if (error instanceof ApiError && error.status !== 401 && error.status !== 400) this.refreshFailure = error.message;
      // The session is over; expire() (or the caller at start) takes the user to the sign-in page.
      if (error instanceof ApiError && (error.status === 401 || error.status === 400)) {
        this.token = null;
        storage()?.removeItem(SESSION_HINT);
      }
      return false;
    }
  }
}
