import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';
import { AuthService } from './auth.service';

/** Signed-in users only; others go to the sign-in page, which comes back here afterwards. */
export const signedInGuard: CanActivateFn = (_route, state) => {
  const auth = inject(AuthService);
  if (auth.signedIn()) return true;
  return inject(Router).createUrlTree(['/sign-in'], { queryParams: state.url && state.url !== '/' ? { next: state.url } : {} });
};

/** Admins only; a signed-in user is shown why they cannot enter. */
export const adminGuard: CanActivateFn = (_route, state) => {
  const auth = inject(AuthService);
  if (auth.isAdmin()) return true;
  const router = inject(Router);
  if (!auth.signedIn()) return router.createUrlTree(['/sign-in'], { queryParams: { next: state.url } });
  return router.createUrlTree(['/forbidden'], { queryParams: { from: state.url } });
};

/** The sign-in and first-run pages are for signed-out visitors. */
export const signedOutGuard: CanActivateFn = () => (inject(AuthService).signedIn() ? inject(Router).createUrlTree(['/']) : true);
