import { HttpClient, HttpContext, HttpContextToken, HttpHeaders, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { API_PREFIX } from '@marquee/contracts';
import { firstValueFrom } from 'rxjs';
import { toApiError } from '../logic/api-error.js';

/** Requests marked with this are not retried after a refresh (the auth routes themselves). */
export const SKIP_AUTH_RETRY = new HttpContextToken<boolean>(() => false);

export type QueryValue = string | number | boolean | null | undefined | readonly string[];
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  headers?: Record<string, string>;
  skipAuthRetry?: boolean;
}

/** Absolute path of an API route: `items/1` → `/api/v1/items/1`. */
export const apiUrl = (path: string) => `/${API_PREFIX}/${path.replace(/^\/+/, '')}`;

function toParams(query: Query | undefined): HttpParams {
  let params = new HttpParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === null || value === undefined || value === '') continue;
    params = params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return params;
}

/** The REST API under /api/v1, as promises; failures are ApiErrors carrying the problem detail. */
@Injectable({ providedIn: 'root' })
export class Api {
  private readonly http = inject(HttpClient);

  get<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.send<T>('GET', path, undefined, options);
  }

  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.send<T>('POST', path, body ?? {}, options);
  }

  put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.send<T>('PUT', path, body ?? {}, options);
  }

  patch<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.send<T>('PATCH', path, body ?? {}, options);
  }

  delete<T = void>(path: string, options?: RequestOptions): Promise<T> {
    return this.send<T>('DELETE', path, undefined, options);
  }

  /** A URL outside /api/v1 (health). */
  getAbsolute<T>(url: string): Promise<T> {
    return firstValueFrom(this.http.get<T>(url)).catch((error: unknown) => {
      throw toApiError(error);
    });
  }

  private async send<T>(method: string, path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    try {
      return await firstValueFrom(
        this.http.request<T>(method, apiUrl(path), {
          body,
          params: toParams(options.query),
          headers: new HttpHeaders(options.headers ?? {}),
          context: new HttpContext().set(SKIP_AUTH_RETRY, options.skipAuthRetry ?? false),
          withCredentials: true,
        }),
      );
    } catch (error) {
      throw toApiError(error);
    }
  }
}
