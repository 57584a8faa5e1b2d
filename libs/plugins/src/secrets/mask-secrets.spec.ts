import { maskSecrets } from './mask-secrets.js';

describe('maskSecrets', () => {
  it('masks each secret as given and URL-encoded, everywhere it occurs', () => {
    expect(maskSecrets('GET /v1/k3y/movie?key=k3y failed', ['k3y'])).toBe('GET /v1/***/movie?key=*** failed');
    expect(maskSecrets('https://api.example/a%2Bb%2Fc/x', ['a+b/c'])).toBe('https://api.example/***/x');
  });

  it('leaves text without secrets alone and ignores empty secrets', () => {
    expect(maskSecrets('nothing here', ['', 'absent'])).toBe('nothing here');
  });
});
