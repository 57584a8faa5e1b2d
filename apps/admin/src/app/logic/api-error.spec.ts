import { ApiError, toApiError } from './api-error.js';

/** What Angular's HttpClient rejects with (HttpErrorResponse), by the fields the client reads. */
const httpFailure = (status: number, error: unknown, statusText = '') =>
  Object.assign(new Error(`Http failure response: ${status}`), { name: 'HttpErrorResponse', status, statusText, error });

describe('toApiError', () => {
  it('turns a problem+json response into its status, body and detail', () => {
    const body = { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'The folder /no/such/folder does not exist' };
    const error = toApiError(httpFailure(400, body, 'Bad Request'));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.body).toBe(body);
    expect(error.message).toBe('The folder /no/such/folder does not exist');
  });

  it('says what went wrong when the response is not a problem', () => {
    expect(toApiError(httpFailure(0, new Error('net::ERR_CONNECTION_REFUSED'))).message).toMatch(/cannot be reached/);
    expect(toApiError(httpFailure(503, '<html>down</html>', 'Service Unavailable')).message).toBe(
      'The server failed (503). Try again in a moment.',
    );
  });

  it('keeps an ApiError as it is, and wraps anything else with status 0', () => {
    const original = new ApiError(409, 'Already queued', null);
    expect(toApiError(original)).toBe(original);
    expect(toApiError(new TypeError('boom'))).toMatchObject({ status: 0, message: 'boom', body: null });
    expect(toApiError('plain')).toMatchObject({ status: 0, message: 'plain' });
    // An ordinary error with a status field is not taken for an HTTP response.
    expect(toApiError(Object.assign(new Error('odd'), { status: 500 }))).toMatchObject({ status: 0, message: 'odd' });
  });
});
