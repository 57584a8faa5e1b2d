import type { Routes } from '@angular/router';

/** Administrators' pages (the parent route's adminGuard keeps everyone else out). */
export const adminRoutes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'jobs' },
  { path: 'jobs', title: 'Jobs · Marquee', loadComponent: () => import('./jobs/jobs.page').then((m) => m.JobsPage) },
  {
    path: 'items/:id/edit',
    title: 'Edit metadata · Marquee',
    loadComponent: () => import('./item-editor/item-editor.page').then((m) => m.ItemEditorPage),
  },
  { path: 'health', title: 'Health · Marquee', loadComponent: () => import('./health/health.page').then((m) => m.HealthPage) },
  { path: 'users', title: 'Users · Marquee', loadComponent: () => import('./users/users.page').then((m) => m.UsersPage) },
  { path: 'plugins', title: 'Plugins · Marquee', loadComponent: () => import('./plugins/plugins.page').then((m) => m.PluginsPage) },
  {
    path: 'libraries',
    title: 'Libraries · Marquee',
    loadComponent: () => import('./libraries/libraries.page').then((m) => m.LibrariesPage),
  },
];
