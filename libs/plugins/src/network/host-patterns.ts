/** `host:port` → [host, port]; `[::1]:8080` → ['[::1]', '8080']; no port → [host, undefined]. */
function splitHostPattern(pattern: string): [string, string | undefined] {
  if (pattern.startsWith('[')) {
    const end = pattern.indexOf(']');
    return [pattern.slice(0, end + 1), pattern[end + 1] === ':' ? pattern.slice(end + 2) : undefined];
  }
  const colon = pattern.lastIndexOf(':');
  return colon > 0 ? [pattern.slice(0, colon), pattern.slice(colon + 1)] : [pattern, undefined];
}

/** Whether `url`'s host matches one of the patterns (`host`, `*.domain`, optionally with `:port`). */
export function hostAllowed(url: URL, patterns: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return patterns.some((pattern) => {
    const [patternHost, patternPort] = splitHostPattern(pattern.toLowerCase());
    if (patternPort && patternPort !== port) return false;
    if (patternHost.startsWith('*.')) return host.endsWith(patternHost.slice(1));
    return host === patternHost;
  });
}
