import type { Routes } from '@angular/router';
import { adminGuard, signedInGuard, signedOutGuard } from './core/guards';

export const routes: Routes = [
  {
    path: 'sign-in',
    title: 'Sign in · Marquee',
    canActivate: [signedOutGuard],
    loadComponent: () => import('./features/auth/sign-in.page').then((m) => m.SignInPage),
  },
  {
    path: 'setup',
    title: 'First start · Marquee',
    canActivate: [signedOutGuard],
    loadComponent: () => import('./features/auth/setup.page').then((m) => m.SetupPage),
  },
  {
    path: '',
    canActivate: [signedInGuard],
    loadComponent: () => import('./shell/shell').then((m) => m.Shell),
    children: [
      {
        path: '',
        pathMatch: 'full',
        title: 'Home · Marquee',
        loadComponent: () => import('./features/home/home.page').then((m) => m.HomePage),
      },
      {
        path: 'browse/:section',
        title: 'Browse · Marquee',
        loadComponent: () => import('./features/browse/browse.page').then((m) => m.BrowsePage),
      },
      { path: 'browse', pathMatch: 'full', redirectTo: 'browse/movies' },
      { path: 'search', title: 'Search · Marquee', loadComponent: () => import('./features/search/search.page').then((m) => m.SearchPage) },
      { path: 'items/:id', title: 'Item · Marquee', loadComponent: () => import('./features/item/item.page').then((m) => m.ItemPage) },
      {
        path: 'play/:id',
        title: 'Playing · Marquee',
        loadComponent: () => import('./features/player/video-player.page').then((m) => m.VideoPlayerPage),
      },
      {
        path: 'favourites',
        title: 'Favourites · Marquee',
        loadComponent: () => import('./features/favourites/favourites.page').then((m) => m.FavouritesPage),
      },
      {
        path: 'playlists',
        title: 'Playlists · Marquee',
        loadComponent: () => import('./features/playlists/playlists.page').then((m) => m.PlaylistsPage),
      },
      {
        path: 'playlists/:id',
        title: 'Playlist · Marquee',
        loadComponent: () => import('./features/playlists/playlist.page').then((m) => m.PlaylistPage),
      },
      {
        path: 'account',
        title: 'Account · Marquee',
        loadComponent: () => import('./features/account/account.page').then((m) => m.AccountPage),
      },
      {
        path: 'forbidden',
        title: 'Not allowed · Marquee',
        loadComponent: () => import('./features/auth/forbidden.page').then((m) => m.ForbiddenPage),
      },
      {
        path: 'admin',
        canActivate: [adminGuard],
        canActivateChild: [adminGuard],
        loadChildren: () => import('./features/admin/admin.routes').then((m) => m.adminRoutes),
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
