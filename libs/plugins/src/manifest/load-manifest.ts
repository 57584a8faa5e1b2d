import { constants } from 'node:fs';
import { access, lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FieldError, PLUGIN_MANIFEST_FILE, type PluginManifest, type PluginRuntime } from '@marquee/contracts';
import { ajv } from './ajv.js';
import { httpScraperDefinitionErrors, type HttpScraperDefinition } from './http-scraper-definition.js';
import { PLUGIN_MANIFEST_SCHEMA } from './manifest-schema.js';
import { schemaErrors } from './schema-errors.js';

const MAX_MANIFEST_BYTES = 64 * 1024;
const MAX_DEFINITION_BYTES = 256 * 1024;
const NODE_ENTRY = /\.(?:m?js|cjs)$/i;

/** A manifest (or a file it names) is not acceptable; `errors` says why, field by field. */
export class ManifestRejectedError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(`Invalid plugin: ${errors.map((error) => error.message).join('; ')}`);
    this.name = 'ManifestRejectedError';
  }
}

export interface LoadedPlugin {
  manifest: PluginManifest;
  /** The declarative scrapers, by their path in the manifest. */
  definitions: Map<string, HttpScraperDefinition>;
}

const validateManifest = ajv.compile<PluginManifest>(PLUGIN_MANIFEST_SCHEMA);

/** The runtime a manifest asks for: explicit, else Node for `.js`/`.mjs`/`.cjs` entries, else an executable. */
export function runtimeOf(manifest: PluginManifest): PluginRuntime | null {
  if (!manifest.entry) return null;
  return manifest.runtime ?? (NODE_ENTRY.test(manifest.entry) ? 'node' : 'executable');
}

/** Checks a parsed manifest against the JSON Schema; the reasons it is invalid, or none. */
export function manifestErrors(value: unknown): FieldError[] {
  return validateManifest(value) ? [] : schemaErrors(validateManifest.errors);
}

/**
 * Reads and checks a plugin folder: the manifest against its JSON Schema, then the files it names —
 * each a regular file inside the folder (no symlink), an executable entry with its execute bit, and
 * every declarative scraper valid. Throws ManifestRejectedError listing every reason.
 */
export async function loadPlugin(dir: string): Promise<LoadedPlugin> {
  const manifestPath = join(dir, PLUGIN_MANIFEST_FILE);
  const raw = await readRegularFile(manifestPath, MAX_MANIFEST_BYTES, PLUGIN_MANIFEST_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ManifestRejectedError([
      { field: PLUGIN_MANIFEST_FILE, message: `${PLUGIN_MANIFEST_FILE} is not valid JSON (${(error as Error).message})` },
    ]);
  }
  const errors = manifestErrors(parsed);
  if (errors.length) throw new ManifestRejectedError(errors);
  const manifest = parsed as PluginManifest;

  const fileErrors: FieldError[] = [];
  if (manifest.entry) {
    const entryPath = join(dir, manifest.entry);
    const info = await lstat(entryPath).catch(() => undefined);
    if (!info || !info.isFile()) {
      fileErrors.push({ field: 'entry', message: `entry "${manifest.entry}" is not a file in the plugin` });
    } else if (runtimeOf(manifest) === 'executable') {
      const executable = await access(entryPath, constants.X_OK).then(
        () => true,
        () => false,
      );
      if (!executable)
        fileErrors.push({ field: 'entry', message: `entry "${manifest.entry}" is not executable (chmod +x, or "runtime": "node")` });
    }
  }
  const definitions = new Map<string, HttpScraperDefinition>();
  for (const [index, path] of (manifest.scrapers ?? []).entries()) {
    const field = `scrapers[${index}]`;
    let text: string;
    try {
      text = await readRegularFile(join(dir, path), MAX_DEFINITION_BYTES, path);
    } catch (error) {
      fileErrors.push({ field, message: (error as ManifestRejectedError).errors?.[0]?.message ?? (error as Error).message });
      continue;
    }
    let definition: unknown;
    try {
      definition = JSON.parse(text);
    } catch (error) {
      fileErrors.push({ field, message: `scraper definition "${path}" is not valid JSON (${(error as Error).message})` });
      continue;
    }
    const definitionErrors = httpScraperDefinitionErrors(definition, field);
    if (definitionErrors.length) fileErrors.push(...definitionErrors);
    else definitions.set(path, definition as HttpScraperDefinition);
  }
  if (fileErrors.length) throw new ManifestRejectedError(fileErrors);
  return { manifest, definitions };
}

async function readRegularFile(path: string, maxBytes: number, name: string): Promise<string> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) throw new ManifestRejectedError([{ field: name, message: `${name} is missing` }]);
  if (!info.isFile()) throw new ManifestRejectedError([{ field: name, message: `${name} is not a regular file (symlinks are refused)` }]);
  if (info.size > maxBytes) throw new ManifestRejectedError([{ field: name, message: `${name} is larger than ${maxBytes / 1024} KiB` }]);
  return readFile(path, 'utf8');
}
