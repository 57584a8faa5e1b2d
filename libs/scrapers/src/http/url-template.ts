/**
 * Fills a template: `{name}` or `{a.b}` is replaced by the variable's value, URL-encoded when
 * `encode` is set (URLs) and as is otherwise (header values). An unknown or empty variable becomes ''.
 */
export function fillTemplate(template: string, variables: Record<string, unknown>, encode: boolean): string {
  return template.replace(/\{([A-Za-z0-9_.]+)\}/g, (_match, name: string) => {
    let value: unknown = variables;
    for (const step of name.split('.'))
      value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[step] : undefined;
    if (value === undefined || value === null) return '';
    const text = String(value);
    return encode ? encodeURIComponent(text) : text.replace(/[\r\n]/g, '');
  });
}

/** A URL template filled in; the part before the path (scheme and host) may come only from settings, never from the item. */
export function fillUrl(template: string, variables: Record<string, unknown>): string {
  const pathStart = template.search(/[^/:]\/(?!\/)/);
  const origin = pathStart >= 0 ? template.slice(0, pathStart + 1) : template;
  // Settings are the admin's; item titles and refs are not trusted to choose the host.
  const filledOrigin = fillTemplate(origin, { settings: variables.settings }, false);
  const rest = pathStart >= 0 ? fillTemplate(template.slice(pathStart + 1), variables, true) : '';
  return filledOrigin + rest;
}
