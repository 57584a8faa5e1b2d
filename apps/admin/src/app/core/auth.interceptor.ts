import { HttpErrorResponse, type HttpInterceptorFn, type HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { API_PREFIX } from '@marquee/contracts';
import { catchError, from, switchMap, throwError } from 'rxjs';
import { actionFor } from '../logic/refresh-gate.js';
import { SKIP_AUTH_RETRY } from './api.service';
import { AuthService } from './auth.service';

const withToken = (req: HttpRequest<unknown>, token: string | null) =>
  token ? req.clone({ setHeaders: { Authorization: `Bearer ${token}` } }) : req;

/**
 * Adds the access token to API requests. A 401 refreshes the token once (one refresh shared by every
 * request that failed meanwhile) and retries; when the refresh fails, or the retry is refused too,
 * the session is over and the user goes back to the sign-in page.
 */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  if (!req.url.startsWith(`/${API_PREFIX}/`)) return next(req);
  const auth = inject(AuthService);
  return next(withToken(req, auth.accessToken())).pipe(
    catchError((error: unknown) => {
      if (!(error instanceof HttpErrorResponse) || req.context.get(SKIP_AUTH_RETRY)) return throwError(() => error);
      if (actionFor(error.status, req.url, false) !== 'refresh-and-retry' || !auth.signedIn()) return throwError(() => error);
      return from(auth.refresh()).pipe(
        switchMap((refreshed) => {
          if (!refreshed) {
            auth.expire();
            return throwError(() => error);
          }
          return next(withToken(req, auth.accessToken())).pipe(
            catchError((retryError: unknown) => {
              if (retryError instanceof HttpErrorResponse && actionFor(retryError.status, req.url, true) === 'sign-out') auth.expire();
              return throwError(() => retryError);
            }),
          );
        }),
      );
    }),
  );
};
