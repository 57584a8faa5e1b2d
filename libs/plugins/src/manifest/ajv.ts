import { Ajv } from 'ajv';

/** One Ajv instance for the plugin schemas: every error reported, no type coercion, strict schemas. */
export const ajv = new Ajv({
  allErrors: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  coerceTypes: false,
  useDefaults: false,
});
