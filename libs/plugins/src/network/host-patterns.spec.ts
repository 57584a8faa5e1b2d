import { hostAllowed } from './host-patterns.js';

describe('hostAllowed', () => {
  const allowed = (url: string, patterns: string[]) => hostAllowed(new URL(url), patterns);

  it('matches host names exactly, case-insensitively, on any port unless one is given', () => {
    expect(allowed('https://api.example.org/x', ['api.example.org'])).toBe(true);
    expect(allowed('https://API.Example.org:8443/x', ['api.example.org'])).toBe(true);
    expect(allowed('https://example.org/x', ['api.example.org'])).toBe(false);
    expect(allowed('https://api.example.org.evil.com/', ['api.example.org'])).toBe(false);
    expect(allowed('https://api.example.org/', ['api.example.org:443'])).toBe(true);
    expect(allowed('http://api.example.org/', ['api.example.org:443'])).toBe(false);
    expect(allowed('http://127.0.0.1:8080/', ['127.0.0.1:8080'])).toBe(true);
    expect(allowed('http://127.0.0.1:8081/', ['127.0.0.1:8080'])).toBe(false);
  });

  it('`*.` covers sub-domains only', () => {
    expect(allowed('https://img.example.org/', ['*.example.org'])).toBe(true);
    expect(allowed('https://a.b.example.org/', ['*.example.org'])).toBe(true);
    expect(allowed('https://example.org/', ['*.example.org'])).toBe(false);
    expect(allowed('https://badexample.org/', ['*.example.org'])).toBe(false);
  });

  it('handles IPv6 literals', () => {
    expect(allowed('http://[::1]:9000/', ['[::1]:9000'])).toBe(true);
    expect(allowed('http://[::1]:9001/', ['[::1]:9000'])).toBe(false);
    expect(allowed('http://[::1]/', ['[::1]'])).toBe(true);
  });

  it('an empty list allows nothing', () => {
    expect(allowed('https://example.org/', [])).toBe(false);
  });
});
