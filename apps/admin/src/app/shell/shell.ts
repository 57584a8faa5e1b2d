import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { AuthService } from '../core/auth.service';
import { MusicPlayerBar } from '../features/music/music-player-bar';

/** The signed-in frame: navigation, search as you type, the page, and the music player bar. */
@Component({
  selector: 'mq-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, FormsModule, MusicPlayerBar],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <a class="skip" href="#main">Skip to content</a>
    <header class="bar">
      <a class="brand" routerLink="/">Marquee</a>
      <button
        type="button"
        class="menu-toggle"
        [attr.aria-expanded]="menuOpen()"
        aria-controls="primary-nav"
        (click)="menuOpen.set(!menuOpen())"
      >
        Menu
      </button>
      <nav id="primary-nav" aria-label="Main" [class.open]="menuOpen()">
        <a routerLink="/" routerLinkActive="active" [routerLinkActiveOptions]="{ exact: true }">Home</a>
        <a routerLink="/browse/movies" routerLinkActive="active">Films</a>
        <a routerLink="/browse/series" routerLinkActive="active">Series</a>
        <a routerLink="/browse/music" routerLinkActive="active">Music</a>
        <a routerLink="/browse/galleries" routerLinkActive="active">Galleries</a>
        <a routerLink="/favourites" routerLinkActive="active">Favourites</a>
        <a routerLink="/playlists" routerLinkActive="active">Playlists</a>
        @if (auth.isAdmin()) {
          <span class="sep" aria-hidden="true"></span>
          <a routerLink="/admin/jobs" routerLinkActive="active">Jobs</a>
          <a routerLink="/admin/libraries" routerLinkActive="active">Libraries</a>
          <a routerLink="/admin/users" routerLinkActive="active">Users</a>
          <a routerLink="/admin/plugins" routerLinkActive="active">Plugins</a>
          <a routerLink="/admin/health" routerLinkActive="active">Health</a>
        }
      </nav>
      <form class="search" role="search" (ngSubmit)="search(query)">
        <label for="global-search" class="visually-hidden">Search the library</label>
        <input
          id="global-search"
          type="search"
          name="q"
          placeholder="Search"
          autocomplete="off"
          [(ngModel)]="query"
          (ngModelChange)="search($event)"
        />
      </form>
      <div class="account">
        <a routerLink="/account" routerLinkActive="active">{{ auth.account()?.displayName || auth.account()?.username }}</a>
        <button type="button" class="link" (click)="auth.signOut()">Sign out</button>
      </div>
    </header>
    <main id="main" tabindex="-1">
      <router-outlet />
    </main>
    <mq-music-player-bar />
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      min-height: 100vh;
    }
    .skip {
      position: absolute;
      left: -999px;
    }
    .skip:focus {
      left: 0.5rem;
      top: 0.5rem;
      z-index: 10;
      background: var(--mq-bg);
      padding: 0.5rem;
    }
    .bar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 0.75rem;
      padding: 0.6rem 1rem;
      border-bottom: 1px solid color-mix(in srgb, var(--mq-fg) 15%, transparent);
      position: sticky;
      top: 0;
      background: var(--mq-bg);
      z-index: 5;
    }
    .brand {
      font-weight: 800;
      font-size: 1.25rem;
      text-decoration: none;
    }
    nav {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem;
      align-items: center;
    }
    nav a,
    .account a {
      padding: 0.3rem 0.45rem;
      border-radius: 6px;
      color: var(--mq-fg);
      text-decoration: none;
    }
    nav a.active,
    .account a.active {
      background: color-mix(in srgb, var(--mq-accent) 20%, transparent);
    }
    .sep {
      width: 1px;
      height: 1.2rem;
      background: var(--mq-muted);
      margin: 0 0.25rem;
    }
    .search {
      flex: 1 1 7rem;
      max-width: 16rem;
      margin-left: auto;
    }
    .search input {
      width: 100%;
      font: inherit;
      padding: 0.4rem 0.6rem;
      border-radius: 6px;
      border: 1px solid var(--mq-muted);
      background: var(--mq-bg);
      color: var(--mq-fg);
    }
    .account {
      display: flex;
      gap: 0.5rem;
      align-items: center;
    }
    .menu-toggle {
      display: none;
    }
    main {
      flex: 1;
      padding: 1rem clamp(0.75rem, 3vw, 2rem) 6rem;
      outline: none;
    }
    @media (max-width: 760px) {
      .menu-toggle {
        display: inline-block;
      }
      nav {
        display: none;
        order: 5;
        width: 100%;
        flex-direction: column;
        align-items: stretch;
      }
      nav.open {
        display: flex;
      }
      .sep {
        display: none;
      }
      .search {
        order: 4;
        max-width: none;
        flex-basis: 100%;
      }
    }
  `,
})
export class Shell {
  protected readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  protected readonly menuOpen = signal(false);
  protected query = '';
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    const sub = this.router.events.subscribe((event) => {
      if (event instanceof NavigationEnd) this.menuOpen.set(false);
    });
    inject(DestroyRef).onDestroy(() => {
      sub.unsubscribe();
      clearTimeout(this.timer);
    });
  }

  /** Search as you type: after a short pause the results page follows the box. */
  protected search(text: string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const q = text.trim();
      if (!q && !this.router.url.startsWith('/search')) return;
      void this.router.navigate(['/search'], { queryParams: { q: q || null }, replaceUrl: this.router.url.startsWith('/search') });
    }, 250);
  }
}
