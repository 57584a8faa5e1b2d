import { problemMessage } from './problem-detail.js';

describe('problemMessage', () => {
  it('shows the problem+json detail', () => {
    const error = {
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'Registration is closed; ask an administrator for an account',
    };
    expect(problemMessage({ status: 403, error })).toBe('Registration is closed; ask an administrator for an account');
  });

  it('adds field errors of a validation problem that the detail does not already name', () => {
    const error = {
      type: 'validation',
      title: 'Bad Request',
      status: 400,
      detail: 'The request is invalid',
      errors: [
        { field: 'year', message: 'year must not be greater than 9999' },
        { field: 'title', message: 'title must be shorter' },
      ],
    };
    expect(problemMessage({ status: 400, error })).toBe(
      'The request is invalid (year: year must not be greater than 9999; title: title must be shorter)',
    );
    const named = { ...error, detail: 'year: year must not be greater than 9999', errors: [error.errors[0]] };
    expect(problemMessage({ status: 400, error: named })).toBe('year: year must not be greater than 9999');
  });

  it('falls back to the title when the detail is empty', () => {
    expect(problemMessage({ status: 404, error: { type: 'x', title: 'Not Found', status: 404, detail: '' } })).toBe('Not Found');
  });

  it('explains failures without a problem body', () => {
    expect(problemMessage({ status: 0, error: new Error('network') })).toMatch(/cannot be reached/);
    expect(problemMessage({ status: 502, error: '<html>Bad gateway</html>' })).toBe('The server failed (502). Try again in a moment.');
    expect(problemMessage({ status: 418, statusText: 'Teapot', error: null })).toBe('Request failed (418 Teapot).');
    expect(problemMessage({ status: 400, error: 'plain words' })).toBe('plain words');
  });
});
