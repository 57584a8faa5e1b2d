import { PLUGIN_CAPABILITIES, PLUGIN_RUNTIMES } from '@marquee/contracts';

/** A path inside the plugin folder: relative, `/`-separated, no `.`/`..` segments, no backslashes. */
export const RELATIVE_PATH_PATTERN = '^(?!/)(?!.*\\\\)(?!(?:.*/)?\\.\\.?(?:/|$))[^\\u0000]{1,255}$';
/** Reverse-DNS style: lower case, at least one dot, e.g. `org.example.catalogue`. */
export const PLUGIN_ID_PATTERN = '^[a-z0-9]+(?:[-_][a-z0-9]+)*(?:\\.[a-z0-9]+(?:[-_][a-z0-9]+)*)+$';
/** A host name or IP literal, optionally `*.` for every sub-domain; a `:port` is allowed. */
export const HOST_PATTERN = '^(?:\\*\\.)?[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::\\d{1,5})?$|^\\[[0-9A-Fa-f:.]+\\](?::\\d{1,5})?$';
const SETTING_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_]{0,63}$';

/** The JSON Schema (draft 2020-12 subset Ajv understands) of `marquee-plugin.json`. */
export const PLUGIN_MANIFEST_SCHEMA = {
  $id: 'https://marquee.invalid/schemas/marquee-plugin.json',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'version', 'capabilities'],
  properties: {
    $schema: { type: 'string' },
    id: { type: 'string', maxLength: 128, pattern: PLUGIN_ID_PATTERN },
    name: { type: 'string', minLength: 1, maxLength: 128 },
    version: { type: 'string', maxLength: 64, pattern: '^\\d+\\.\\d+\\.\\d+(?:[-+][0-9A-Za-z.-]+)?$' },
    description: { type: 'string', maxLength: 2000 },
    entry: { type: 'string', pattern: RELATIVE_PATH_PATTERN },
    runtime: { enum: [...PLUGIN_RUNTIMES] },
    capabilities: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...PLUGIN_CAPABILITIES] } },
    permissions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        hosts: { type: 'array', maxItems: 64, uniqueItems: true, items: { type: 'string', pattern: HOST_PATTERN } },
      },
    },
    settings: {
      type: 'object',
      maxProperties: 64,
      propertyNames: { pattern: SETTING_NAME_PATTERN },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['type'],
        properties: {
          type: { enum: ['string', 'number', 'boolean'] },
          title: { type: 'string', maxLength: 200 },
          description: { type: 'string', maxLength: 2000 },
          secret: { type: 'boolean' },
          required: { type: 'boolean' },
          default: { type: ['string', 'number', 'boolean'] },
          enum: { type: 'array', minItems: 1, maxItems: 100, items: { type: ['string', 'number'] } },
        },
      },
    },
    scrapers: { type: 'array', maxItems: 32, uniqueItems: true, items: { type: 'string', pattern: RELATIVE_PATH_PATTERN } },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        timeoutSeconds: { type: 'number', exclusiveMinimum: 0 },
        memoryMb: { type: 'integer', minimum: 16 },
        maxOutputKb: { type: 'integer', minimum: 1 },
      },
    },
  },
  // Something must do the work: a process to run, or declarative scrapers.
  anyOf: [{ required: ['entry'] }, { required: ['scrapers'] }],
} as const;
