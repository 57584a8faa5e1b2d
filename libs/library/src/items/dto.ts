import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import {
  ARTWORK_KIND_NAMES,
  EDITABLE_ITEM_FIELDS,
  ITEM_SORTS,
  type ItemSort,
  MEDIA_ITEM_TYPES,
  type MediaItemType,
  NAME_SORTS,
  type NameSort,
  type PersonRole,
  type PersonView,
  type UpdateItemRequest,
} from '@marquee/contracts';
import { PageQueryDto } from '@marquee/core';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { ALL_FIELDS, artworkLock } from '../editing/field-locks.js';

const oneOf = (values: readonly string[], each = false) => ({
  each,
  message: `${each ? 'each value in ' : ''}$property must be one of: ${values.join(', ')}`,
});

/** `a,b` or `?x=a&x=b` → ['a', 'b']. */
const commaList = ({ value }: { value: unknown }) => {
  const parts = (Array.isArray(value) ? value : [value]).flatMap((part) => (typeof part === 'string' ? part.split(',') : [part]));
  return parts.map((part) => (typeof part === 'string' ? part.trim() : part)).filter((part) => part !== '');
};

/** Query-string booleans: true/false/1/0 (anything else is left for @IsBoolean to refuse). */
const queryBoolean = ({ value }: { value: unknown }) => {
  if (value === 'true' || value === '1' || value === true) return true;
  if (value === 'false' || value === '0' || value === false) return false;
  return value;
};

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Trimmed, and '' (a cleared field) becomes null. */
const trimOrNull = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
};
/** Each entry trimmed, duplicates dropped (first one kept). */
const trimEachUnique = ({ value }: { value: unknown }) => {
  if (!Array.isArray(value)) return value;
  const seen = new Set<unknown>();
  return value
    .map((entry) => (typeof entry === 'string' ? entry.trim() : entry))
    .filter((entry) => {
      if (seen.has(entry)) return false;
      seen.add(entry);
      return true;
    });
};

/** Validates a field whenever it was sent, `null` included (which @IsOptional would let through). */
const present = (_: object, value: unknown) => value !== undefined;

export const MAX_LIST_ENTRIES = 200;

/** A list of names (genres, tags, studios): trimmed, deduplicated, bounded; validated whenever sent. */
const NameList = () =>
  applyDecorators(
    ApiPropertyOptional({ type: [String] }),
    ValidateIf(present),
    Transform(trimEachUnique),
    IsArray(),
    ArrayMaxSize(MAX_LIST_ENTRIES),
    IsString({ each: true }),
    IsNotEmpty({ each: true }),
    MaxLength(200, { each: true }),
  );
export const PERSON_ROLES = ['actor', 'director', 'writer', 'producer', 'composer'] as const;
export const PROVIDER_KEY = /^[A-Za-z0-9_]{1,32}$/;
/** A query parameter of one value or a comma list, each from `values`. */
const CommaListOf = (values: readonly string[], description: string) =>
  applyDecorators(
    ApiPropertyOptional({ description: `${description}: ${values.join(', ')}`, type: String }),
    IsOptional(),
    Transform(commaList),
    IsArray(),
    ArrayMaxSize(values.length),
    IsIn(values, oneOf(values, true)),
  );

/** A name to filter by (a genre, a studio, a person), matched whole, case ignored. */
const NameFilter = (description: string) => applyDecorators(ApiPropertyOptional({ description }), IsOptional(), IsString(), MaxLength(200));

const MAX_PROVIDER_IDS = 32;
const MAX_PROVIDER_VALUE = 128;

/** Locks an admin may lift: the editable fields, a whole-item `*` lock (NFO), and artwork locks. */
export const UNLOCKABLE_FIELDS: readonly string[] = [...EDITABLE_ITEM_FIELDS, ALL_FIELDS, ...ARTWORK_KIND_NAMES.map(artworkLock)];

/** `{ provider: id }` with provider keys of letters, digits and `_` (1–32) and non-empty string ids. */
function IsProviderIds(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isProviderIds',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value as Record<string, unknown>);
          return (
            entries.length <= MAX_PROVIDER_IDS &&
            entries.every(
              ([key, id]) => PROVIDER_KEY.test(key) && typeof id === 'string' && id.trim() !== '' && id.length <= MAX_PROVIDER_VALUE,
            )
          );
        },
        defaultMessage: () =>
          `$property must be an object of at most ${MAX_PROVIDER_IDS} provider ids: keys of 1 to 32 letters, digits or "_", values non-empty strings of at most ${MAX_PROVIDER_VALUE} characters`,
      },
    },
    options,
  );
}

/** `{ kind: { candidate: id } | null }` with kinds from ARTWORK_KIND_NAMES and candidate ids as artwork-candidates lists them. */
function IsArtworkChoices(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isArtworkChoices',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.entries(value as Record<string, unknown>).every(
            ([kind, choice]) =>
              (ARTWORK_KIND_NAMES as readonly string[]).includes(kind) &&
              (choice === null ||
                (typeof choice === 'object' &&
                  Object.keys(choice).length === 1 &&
                  typeof (choice as { candidate?: unknown }).candidate === 'string' &&
                  CANDIDATE_ID.test((choice as { candidate: string }).candidate))),
          ),
        defaultMessage: () =>
          `$property must map artwork kinds (${ARTWORK_KIND_NAMES.join(', ')}) to {"candidate": "<id from GET items/:id/artwork-candidates>"} or null`,
      },
    },
    options,
  );
}
const CANDIDATE_ID = /^[0-9a-f]{16}$/;

export class ItemsQueryDto extends PageQueryDto {
  @CommaListOf(MEDIA_ITEM_TYPES, 'One type or a comma list')
  type?: MediaItemType[];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: '$property must be a UUID' })
  parentId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: '$property must be a UUID' })
  libraryId?: string;

  @NameFilter('Items with this genre (case-insensitive)')
  genre?: string;

  @NameFilter('Items with this studio (case-insensitive)')
  studio?: string;

  @NameFilter('Items with this person in any role (case-insensitive)')
  person?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(9999)
  year?: number;

  @ApiPropertyOptional({ description: 'Full-text search, as GET search' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ default: false, description: 'Also list items whose files have all disappeared' })
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean({ message: '$property must be true or false' })
  includeMissing: boolean = false;

  @ApiPropertyOptional({ enum: ITEM_SORTS, default: 'title', description: 'A leading `-` reverses the order' })
  @IsOptional()
  @IsIn(ITEM_SORTS, oneOf(ITEM_SORTS))
  sort: ItemSort = 'title';
}

/** GET items/:id/children: the list filters, the parent coming from the path. */
export class ChildrenQueryDto extends OmitType(ItemsQueryDto, ['parentId'] as const) {}

export class SearchQueryDto {
  @ApiProperty({ description: 'Words to find (prefixes match: "alie" finds "Alien"); accents are ignored' })
  @IsString()
  @MaxLength(200)
  @Matches(/\S/, { message: '$property must not be blank' })
  q: string;

  @ApiPropertyOptional({ default: 20, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000)
  offset: number = 0;
}

/** GET genres and GET studios: the names carried by the items that match the filters. */
export class NamesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: '$property must be a UUID' })
  libraryId?: string;

  @CommaListOf(MEDIA_ITEM_TYPES, 'Only items of this type (or comma list), as GET items')
  type?: MediaItemType[];

  @ApiPropertyOptional({
    description: 'Names with a word starting with this (case and accents ignored: "ame" finds "Amélie", "scott" finds "Ridley Scott")',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: NAME_SORTS, default: 'name', description: '`-count`: the most used names first' })
  @IsOptional()
  @IsIn(NAME_SORTS, oneOf(NAME_SORTS))
  sort: NameSort = 'name';
}

/** GET people: the names filters, and the roles a person must have (any of them). */
export class PeopleQueryDto extends NamesQueryDto {
  @CommaListOf(PERSON_ROLES, 'One role or a comma list')
  role?: PersonRole[];
}

export class PersonDto implements PersonView {
  @ApiProperty()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: PERSON_ROLES })
  @IsIn(PERSON_ROLES, oneOf(PERSON_ROLES))
  role: PersonView['role'];

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(200)
  character?: string;
}

/** PATCH items/:id. Absent fields stay as they are; `null` clears a nullable field. */
export class UpdateItemDto implements UpdateItemRequest {
  @ApiPropertyOptional()
  @ValidateIf(present)
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: '$property must not be empty' })
  @MaxLength(500)
  title?: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(500)
  sortTitle?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(500)
  originalTitle?: string | null;

  @ApiPropertyOptional({ nullable: true, minimum: 1800, maximum: 2200 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(1800)
  @Max(2200)
  year?: number | null;

  @ApiPropertyOptional({ nullable: true, description: 'YYYY-MM-DD' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$property must be a date as YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: '$property must be a real calendar date' })
  premiereDate?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(20_000)
  overview?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(1000)
  tagline?: string | null;

  @NameList()
  genres?: string[];

  @NameList()
  tags?: string[];

  @NameList()
  studios?: string[];

  @ApiPropertyOptional({ type: [PersonDto] })
  @ValidateIf(present)
  @IsArray()
  @ArrayMaxSize(MAX_LIST_ENTRIES)
  @ValidateNested({ each: true })
  @Type(() => PersonDto)
  people?: PersonDto[];

  @ApiPropertyOptional({ nullable: true, minimum: 0, maximum: 10 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(10)
  communityRating?: number | null;

  @ApiPropertyOptional({ nullable: true, minimum: 0, maximum: 10 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(10)
  criticRating?: number | null;

  @ApiPropertyOptional({ nullable: true, description: 'Age rating such as "PG-13"' })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(32)
  officialRating?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { imdb: 'tt0078748', tmdb: '348' } })
  @ValidateIf(present)
  @IsProviderIds()
  providerIds?: Record<string, string>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { nullable: true, type: 'object', properties: { candidate: { type: 'string' } } },
    example: { poster: { candidate: '0123456789abcdef' }, backdrop: null },
    description:
      'Artwork by kind: {"candidate": id} chooses a picture from GET items/:id/artwork-candidates (locking the kind), null removes it; uploads go to PUT items/:id/artwork/:kind',
  })
  @ValidateIf(present)
  @IsArtworkChoices()
  artwork?: UpdateItemRequest['artwork'];

  @ApiPropertyOptional({ type: [String], description: 'Locks to lift so scans and scrapers may change these fields again' })
  @ValidateIf(present)
  @IsArray()
  @ArrayMaxSize(UNLOCKABLE_FIELDS.length)
  @IsIn(UNLOCKABLE_FIELDS, oneOf(UNLOCKABLE_FIELDS, true))
  unlock?: string[];
}
