import type { FieldError } from '@marquee/contracts';
import type { ErrorObject } from 'ajv';

/** `/permissions/hosts/0` → `permissions.hosts[0]`. */
function fieldOf(instancePath: string, prefix: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  let field = prefix;
  for (const part of parts) field += /^\d+$/.test(part) ? `[${part}]` : field ? `.${part}` : part;
  return field || '(root)';
}

/** Ajv's errors as the API's field errors, with the allowed values spelled out where Ajv has them. */
export function schemaErrors(errors: ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  const seen = new Set<string>();
  const result: FieldError[] = [];
  for (const error of errors ?? []) {
    let field = fieldOf(error.instancePath, prefix);
    let message: string;
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'required') {
      const missing = String(params.missingProperty);
      field = field === '(root)' ? missing : `${field}.${missing}`;
      message = `${field} is required`;
    } else if (error.keyword === 'additionalProperties') {
      message = `${field === '(root)' ? 'the manifest' : field} has an unknown property "${String(params.additionalProperty)}"`;
    } else if (error.keyword === 'enum') {
      message = `${field} must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (error.keyword === 'anyOf' && error.instancePath === '' && !prefix) {
      message = 'a plugin needs an "entry" to run or "scrapers" definitions (or both)';
    } else if (error.keyword === 'pattern') {
      message = `${field} has an invalid format (${describePattern(field)})`;
    } else {
      message = `${field} ${error.message ?? 'is invalid'}`;
    }
    if (seen.has(message)) continue;
    seen.add(message);
    result.push({ field, message });
  }
  return result;
}

function describePattern(field: string): string {
  if (field === 'id') return 'reverse-DNS style in lower case with at least one dot, e.g. "org.example.catalogue"';
  if (field === 'version') return 'a semantic version such as "1.0.0"';
  if (field === 'entry' || field.startsWith('scrapers')) return 'a relative path inside the plugin, without ".." or a leading "/"';
  if (field.startsWith('permissions.hosts')) return 'a host name or IP, optionally "*." in front and ":port" after';
  if (field.startsWith('settings')) return 'setting names start with a letter and use letters, digits and "_"';
  return 'see the manifest documentation';
}
