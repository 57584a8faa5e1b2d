import type { ProblemDetails } from '@marquee/contracts';

/** What an HTTP failure looks like to the client: the status and the body the server sent, if any. */
export interface FailedResponse {
  status: number;
  statusText?: string;
  error?: unknown;
}

function isProblem(body: unknown): body is ProblemDetails {
  return typeof body === 'object' && body !== null && typeof (body as ProblemDetails).title === 'string' && 'status' in body;
}

/**
 * The sentence shown to the user for a failed request: the problem+json `detail` (with the first
 * field errors of a validation problem), else a plain statement of what went wrong.
 */
export function problemMessage(failure: FailedResponse): string {
  const body = failure.error;
  if (isProblem(body)) {
    const fields = (body.errors ?? []).slice(0, 3).map((e) => `${e.field}: ${e.message}`);
    const detail = body.detail || body.title;
    return fields.length && !fields.every((f) => detail.includes(f)) ? `${detail} (${fields.join('; ')})` : detail;
  }
  if (failure.status === 0) return 'The server cannot be reached. Check your connection and try again.';
  if (typeof body === 'string' && body.trim() && body.length < 300 && !body.trimStart().startsWith('<')) return body.trim();
  if (failure.status === 401) return 'Your session has ended. Sign in again.';
  if (failure.status === 403) return 'You are not allowed to do that.';
  if (failure.status === 404) return 'Not found.';
  if (failure.status >= 500) return `The server failed (${failure.status}). Try again in a moment.`;
  return `Request failed (${failure.status}${failure.statusText ? ` ${failure.statusText}` : ''}).`;
}
