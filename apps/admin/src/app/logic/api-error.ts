import { problemMessage } from './problem-detail.js';

/** An API failure with the sentence to show (the problem+json `detail`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Angular's HttpErrorResponse, recognised by its shape so this file stays free of the HTTP client. */
interface HttpFailure {
  name: 'HttpErrorResponse';
  status: number;
  statusText?: string;
  error?: unknown;
}

function isHttpFailure(error: unknown): error is HttpFailure {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as HttpFailure).name === 'HttpErrorResponse' &&
    typeof (error as HttpFailure).status === 'number'
  );
}

/** Any failure as an ApiError: an HTTP failure carries its status, body and problem detail. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isHttpFailure(error)) {
    return new ApiError(
      error.status,
      problemMessage({ status: error.status, statusText: error.statusText, error: error.error }),
      error.error,
    );
  }
  return new ApiError(0, error instanceof Error ? error.message : String(error), null);
}
