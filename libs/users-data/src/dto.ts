import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  type AddItemsRequest,
  type CreatePlaylistRequest,
  ENTRIES_PAGE_DEFAULT,
  ENTRIES_PAGE_MAX,
  MAX_ITEM_IDS_PER_REQUEST,
  MAX_PLAYLIST_DESCRIPTION,
  MAX_PLAYLIST_NAME,
  MAX_QUEUE_ENTRIES,
  MEDIA_ITEM_TYPES,
  type MediaItemType,
  type MoveEntryRequest,
  type ReplaceQueueRequest,
  RESUMABLE_TYPES,
  type ResumableType,
  type ScrobbleRequest,
  type UpdatePlaylistRequest,
  type UpdateQueueRequest,
  type UpdateUserDataRequest,
} from '@marquee/contracts';
import { PageQueryDto } from '@marquee/core';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
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
  type ValidationOptions,
} from 'class-validator';
import { DEFAULT_COVER_SIZE, MAX_COVER_SIZE, MIN_COVER_SIZE } from './playlists/playlist-covers.service.js';

/** A week: no single play is longer. */
const MAX_PLAYED_MS = 7 * 86_400_000;
/** Positions up to a week into an item. */
const MAX_POSITION_MS = 7 * 86_400_000;

const uuidMessage = { message: '$property must be a UUID' };
const eachUuid = { each: true, message: 'each value in $property must be a UUID' };
const oneOf = (values: readonly string[], each = false) => ({
  each,
  message: `${each ? 'each value in ' : ''}$property must be one of: ${values.join(', ')}`,
});

/** `a,b` or `?x=a&x=b` → ['a', 'b']. */
const commaList = ({ value }: { value: unknown }) =>
  (Array.isArray(value) ? value : [value])
    .flatMap((part) => (typeof part === 'string' ? part.split(',') : [part]))
    .map((part) => (typeof part === 'string' ? part.trim() : part))
    .filter((part) => part !== '');

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Trimmed, and '' (a cleared field) becomes null. */
const trimOrNull = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
};

/** Validates a field whenever it was sent, `null` included (which @IsOptional would let through). */
const present = (_: object, value: unknown) => value !== undefined;

/** Exactly one of `index` and `afterEntryId` (which may be null) is sent. */
function OneMoveTarget(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'oneMoveTarget',
      validator: {
        validate: (_: unknown, args) => {
          const request = args?.object as MoveEntryRequest;
          return (request.index === undefined) !== (request.afterEntryId === undefined);
        },
        defaultMessage: () => 'send either index or afterEntryId (null for the top), not both',
      },
    },
    options,
  );
}

class ItemIdsDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    maxItems: MAX_ITEM_IDS_PER_REQUEST,
    description: 'Tracks, films, episodes or extras; an album, artist, series or season stands for what it holds, in order',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ITEM_IDS_PER_REQUEST)
  @IsUUID('all', eachUuid)
  itemIds: string[];
}

export class EntriesPageDto {
  @ApiPropertyOptional({ default: ENTRIES_PAGE_DEFAULT, maximum: ENTRIES_PAGE_MAX })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(ENTRIES_PAGE_MAX)
  limit: number = ENTRIES_PAGE_DEFAULT;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;
}

export class UpdateUserDataDto implements UpdateUserDataRequest {
  @ApiPropertyOptional({
    description: 'true: played (a series, season, artist, album or gallery marks everything under it); false: unplayed',
  })
  @IsOptional()
  @IsBoolean()
  played?: boolean;

  @ApiPropertyOptional({ minimum: 0, description: 'Resume position; at or past 90 % of the length the item becomes played' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_POSITION_MS)
  positionMs?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  favorite?: boolean;

  @ApiPropertyOptional({ nullable: true, minimum: 0, maximum: 10, description: 'null clears the rating' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(10)
  rating?: number | null;
}

export class ResumeQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: `One type or a comma list of ${RESUMABLE_TYPES.join(', ')}; default movie,episode,extra`,
    type: String,
  })
  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(RESUMABLE_TYPES.length)
  @IsIn(RESUMABLE_TYPES, oneOf(RESUMABLE_TYPES, true))
  type?: ResumableType[];
}

export class TypeFilterQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: `One type or a comma list: ${MEDIA_ITEM_TYPES.join(', ')}`, type: String })
  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @ArrayMaxSize(MEDIA_ITEM_TYPES.length)
  @IsIn(MEDIA_ITEM_TYPES, oneOf(MEDIA_ITEM_TYPES, true))
  type?: MediaItemType[];
}

export class HistoryQueryDto extends TypeFilterQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Plays of this item only' })
  @IsOptional()
  @IsUUID('all', uuidMessage)
  itemId?: string;
}

export class ScrobbleDto implements ScrobbleRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', uuidMessage)
  itemId: string;

  @ApiProperty({ minimum: 0, description: 'How long it was actually played' })
  @IsInt()
  @Min(0)
  @Max(MAX_PLAYED_MS)
  playedMs: number;

  @ApiPropertyOptional({ description: 'When it was played (ISO 8601 with a time zone); now when absent' })
  @IsOptional()
  @IsString()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: '$property must be an ISO 8601 date and time' })
  @Matches(/T.*(Z|[+-]\d{2}:?\d{2})$/, { message: '$property must have a time and a time zone (e.g. 2024-05-01T20:15:00Z)' })
  playedAt?: string;
}

export class CreatePlaylistDto implements CreatePlaylistRequest {
  @ApiProperty({ maxLength: MAX_PLAYLIST_NAME })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: '$property must not be empty' })
  @MaxLength(MAX_PLAYLIST_NAME)
  name: string;

  @ApiPropertyOptional({ nullable: true, maxLength: MAX_PLAYLIST_DESCRIPTION })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(MAX_PLAYLIST_DESCRIPTION)
  description?: string | null;

  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: MAX_ITEM_IDS_PER_REQUEST })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ITEM_IDS_PER_REQUEST)
  @IsUUID('all', eachUuid)
  itemIds?: string[];
}

export class UpdatePlaylistDto implements UpdatePlaylistRequest {
  @ApiPropertyOptional({ maxLength: MAX_PLAYLIST_NAME })
  @ValidateIf(present)
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: '$property must not be empty' })
  @MaxLength(MAX_PLAYLIST_NAME)
  name?: string;

  @ApiPropertyOptional({ nullable: true, maxLength: MAX_PLAYLIST_DESCRIPTION, description: 'null or "" clears it' })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(MAX_PLAYLIST_DESCRIPTION)
  description?: string | null;
}

export class AddPlaylistItemsDto extends ItemIdsDto implements AddItemsRequest {
  @ApiPropertyOptional({ minimum: 0, description: 'Where the new entries go (0 = the top); the end when absent' })
  @IsOptional()
  @IsInt()
  @Min(0)
  index?: number;
}

export class QueueItemsDto extends ItemIdsDto implements AddItemsRequest {}

export class MoveEntryDto implements MoveEntryRequest {
  @ApiProperty({ format: 'uuid', description: 'The entry (not the item) to move' })
  @IsUUID('all', uuidMessage)
  @OneMoveTarget()
  entryId: string;

  @ApiPropertyOptional({ minimum: 0, description: 'Its index once moved (past the end: the end)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  index?: number;

  @ApiPropertyOptional({ nullable: true, format: 'uuid', description: 'Put it right after this entry; null: the top' })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsUUID('all', uuidMessage)
  afterEntryId?: string | null;
}

export class ReplaceQueueDto implements ReplaceQueueRequest {
  @ApiProperty({ type: [String], format: 'uuid', maxItems: MAX_ITEM_IDS_PER_REQUEST, description: '[] empties the queue' })
  @IsArray()
  @ArrayMaxSize(MAX_ITEM_IDS_PER_REQUEST)
  @IsUUID('all', eachUuid)
  itemIds: string[];

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_QUEUE_ENTRIES)
  currentIndex?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_POSITION_MS)
  positionMs?: number;

  @ApiPropertyOptional({ description: 'Replace only if the queue is still at this revision (409 otherwise)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  revision?: number;
}

export class UpdateQueueDto implements UpdateQueueRequest {
  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_QUEUE_ENTRIES)
  currentIndex?: number;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', uuidMessage)
  currentEntryId?: string;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_POSITION_MS)
  positionMs?: number;
}

export class CoverQueryDto {
  @ApiPropertyOptional({
    minimum: MIN_COVER_SIZE,
    maximum: MAX_COVER_SIZE,
    default: DEFAULT_COVER_SIZE,
    description: 'Width and height in pixels (rounded up to a multiple of 100)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(MIN_COVER_SIZE)
  @Max(MAX_COVER_SIZE)
  size: number = DEFAULT_COVER_SIZE;

  @ApiPropertyOptional({ description: 'The version the URL was made for; when current, the response is immutable' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  v?: string;

  @ApiPropertyOptional({ description: 'Signed token, for <img> tags that cannot send headers' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  st?: string;
}
