import type { FieldError, PluginSettingField, PluginSettingValue } from '@marquee/contracts';
import type { Plugin } from '../entities/plugin.entity.js';

type Value = string | number | boolean;
const MAX_STRING_LENGTH = 4096;

export interface StoredSettings {
  settings: Record<string, Value>;
  secrets: Record<string, string>;
}

export interface SecretSealer {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

export const secretContext = (pluginId: string, name: string) => `plugin:${pluginId}:setting:${name}`;

function checkValue(name: string, field: PluginSettingField, value: unknown): string | null {
  if (typeof value !== field.type) return `settings.${name} must be a ${field.type}`;
  if (field.type === 'string' && (value as string).length > MAX_STRING_LENGTH)
    return `settings.${name} must be at most ${MAX_STRING_LENGTH} characters`;
  if (field.type === 'number' && !Number.isFinite(value)) return `settings.${name} must be a finite number`;
  if (field.enum && !field.enum.includes(value as string | number))
    return `settings.${name} must be one of: ${field.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  return null;
}

/**
 * The stored settings after an admin's change: each value checked against the manifest's schema,
 * secrets sealed, `null` clearing a value. Returns the errors instead when any value is wrong.
 */
export function changeSettings(
  plugin: Pick<Plugin, 'id' | 'manifest' | 'settings' | 'secrets'>,
  changes: Record<string, unknown>,
  sealer: SecretSealer,
): StoredSettings | { errors: FieldError[] } {
  const schema = plugin.manifest.settings ?? {};
  const settings = { ...plugin.settings };
  const secrets = { ...plugin.secrets };
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(changes)) {
    const field = schema[name];
    if (!field) {
      const known = Object.keys(schema);
      errors.push({
        field: `settings.${name}`,
        message: `settings.${name} is not a setting of ${plugin.id}${known.length ? ` (it has: ${known.join(', ')})` : ' (it has none)'}`,
      });
      continue;
    }
    if (value === null) {
      delete settings[name];
      delete secrets[name];
      continue;
    }
    const problem = checkValue(name, field, value);
    if (problem) {
      errors.push({ field: `settings.${name}`, message: problem });
      continue;
    }
    if (field.secret) secrets[name] = sealer.seal(JSON.stringify(value), secretContext(plugin.id, name));
    else settings[name] = value as Value;
  }
  return errors.length ? { errors } : { settings, secrets };
}

/** What the API shows: plain values (or their defaults), and only `{ set }` for secrets. */
export function settingsView(plugin: Pick<Plugin, 'manifest' | 'settings' | 'secrets'>): Record<string, PluginSettingValue> {
  const view: Record<string, PluginSettingValue> = {};
  for (const [name, field] of Object.entries(plugin.manifest.settings ?? {})) {
    if (field.secret) view[name] = { set: name in plugin.secrets };
    else view[name] = plugin.settings[name] ?? field.default ?? null;
  }
  return view;
}

/** Required settings with neither a value nor a default. */
export function missingRequiredSettings(plugin: Pick<Plugin, 'manifest' | 'settings' | 'secrets'>): string[] {
  return Object.entries(plugin.manifest.settings ?? {})
    .filter(([name, field]) => field.required && field.default === undefined && !(name in plugin.settings) && !(name in plugin.secrets))
    .map(([name]) => name);
}

/** Every setting's value as the plugin receives it: secrets opened, defaults filled in. */
export function runtimeSettings(
  plugin: Pick<Plugin, 'id' | 'manifest' | 'settings' | 'secrets'>,
  sealer: SecretSealer,
): Record<string, Value> {
  const values: Record<string, Value> = {};
  for (const [name, field] of Object.entries(plugin.manifest.settings ?? {})) {
    if (field.secret && plugin.secrets[name])
      values[name] = JSON.parse(sealer.open(plugin.secrets[name], secretContext(plugin.id, name))) as Value;
    else if (!field.secret && plugin.settings[name] !== undefined) values[name] = plugin.settings[name];
    else if (field.default !== undefined) values[name] = field.default;
  }
  return values;
}
