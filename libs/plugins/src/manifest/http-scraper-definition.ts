import { ARTWORK_KIND_NAMES, type ArtworkKindName, type FieldError, type PersonView } from '@marquee/contracts';
import { ajv } from './ajv.js';
import { schemaErrors } from './schema-errors.js';

/** Item kinds a declarative scraper serves; each becomes a `scrape:<kind>` capability. */
export const HTTP_SCRAPER_KINDS = ['movie', 'series', 'episode', 'music'] as const;
export type HttpScraperKind = (typeof HTTP_SCRAPER_KINDS)[number];

/** A path into a JSON document: `a.b.0.c`; `*` maps over an array (`genres.*.name`). Empty: the document itself. */
export type JsonPath = string;

export interface HttpRequestDefinition {
  /** A URL template: `{query.title}`, `{query.year}`, `{ref}`, `{settings.<name>}` are substituted (URL-encoded). */
  url: string;
  headers?: Record<string, string>;
}

export interface PeopleMapping {
  path: JsonPath;
  name: JsonPath;
  character?: JsonPath;
  /** The role of everyone in the list. */
  role: PersonView['role'];
}

/** Where each field of the detail document is. */
export interface DetailFieldMapping {
  title?: JsonPath;
  originalTitle?: JsonPath;
  sortTitle?: JsonPath;
  year?: JsonPath;
  premiereDate?: JsonPath;
  overview?: JsonPath;
  tagline?: JsonPath;
  genres?: JsonPath;
  tags?: JsonPath;
  studios?: JsonPath;
  communityRating?: JsonPath;
  criticRating?: JsonPath;
  officialRating?: JsonPath;
  people?: PeopleMapping[];
  providerIds?: Record<string, JsonPath>;
  artwork?: Partial<Record<ArtworkKindName, JsonPath>>;
}

/**
 * A declarative HTTP JSON scraper (as Stash's scrapers, in JSON): a search request whose results
 * are candidates, and a detail request whose document maps onto an item's fields.
 */
export interface HttpScraperDefinition {
  name: string;
  kinds: HttpScraperKind[];
  search: HttpRequestDefinition & {
    /** Where the array of results is. */
    results: JsonPath;
    fields: { ref: JsonPath; title: JsonPath; year?: JsonPath; overview?: JsonPath };
  };
  detail: HttpRequestDefinition & {
    /** Where the item object is inside the response (default: the whole document). */
    root?: JsonPath;
    fields: DetailFieldMapping;
  };
}

const PATH = { type: 'string', maxLength: 200, pattern: '^(?:[A-Za-z0-9_$@-]+|\\*)(?:\\.(?:[A-Za-z0-9_$@-]+|\\*))*$|^$' } as const;
const REQUEST = {
  url: { type: 'string', minLength: 1, maxLength: 2000 },
  headers: {
    type: 'object',
    maxProperties: 32,
    propertyNames: { pattern: '^[A-Za-z0-9-]{1,64}$' },
    additionalProperties: { type: 'string', maxLength: 2000 },
  },
} as const;

export const HTTP_SCRAPER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kinds', 'search', 'detail'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', minLength: 1, maxLength: 128 },
    kinds: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...HTTP_SCRAPER_KINDS] } },
    search: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'results', 'fields'],
      properties: {
        ...REQUEST,
        results: PATH,
        fields: {
          type: 'object',
          additionalProperties: false,
          required: ['ref', 'title'],
          properties: { ref: PATH, title: PATH, year: PATH, overview: PATH },
        },
      },
    },
    detail: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'fields'],
      properties: {
        ...REQUEST,
        root: PATH,
        fields: {
          type: 'object',
          additionalProperties: false,
          properties: {
            title: PATH,
            originalTitle: PATH,
            sortTitle: PATH,
            year: PATH,
            premiereDate: PATH,
            overview: PATH,
            tagline: PATH,
            genres: PATH,
            tags: PATH,
            studios: PATH,
            communityRating: PATH,
            criticRating: PATH,
            officialRating: PATH,
            people: {
              type: 'array',
              maxItems: 8,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['path', 'name', 'role'],
                properties: {
                  path: PATH,
                  name: PATH,
                  character: PATH,
                  role: { enum: ['actor', 'director', 'writer', 'producer', 'composer'] },
                },
              },
            },
            providerIds: {
              type: 'object',
              maxProperties: 16,
              propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9]{0,31}$' },
              additionalProperties: PATH,
            },
            artwork: {
              type: 'object',
              additionalProperties: false,
              properties: Object.fromEntries(ARTWORK_KIND_NAMES.map((kind) => [kind, PATH])),
            },
          },
        },
      },
    },
  },
} as const;

const validate = ajv.compile<HttpScraperDefinition>(HTTP_SCRAPER_SCHEMA);

/** Checks a parsed definition; returns the reasons it is invalid (none when it is valid). */
export function httpScraperDefinitionErrors(value: unknown, prefix: string): FieldError[] {
  if (validate(value)) return [];
  return schemaErrors(validate.errors, prefix);
}

export function isHttpScraperDefinition(value: unknown): value is HttpScraperDefinition {
  return validate(value);
}
