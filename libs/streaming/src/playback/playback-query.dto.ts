import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import type { PlaybackCapabilities } from '@marquee/contracts';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { MAX_PART } from '../direct/direct-stream.dto.js';

/** `a,b` or `?x=a&x=b` → ['a', 'b']. */
const commaList = ({ value }: { value: unknown }) =>
  (Array.isArray(value) ? value : [value])
    .flatMap((part) => (typeof part === 'string' ? part.split(',') : [part]))
    .map((part) => (typeof part === 'string' ? part.trim() : part))
    .filter((part) => part !== '');

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/** An optional comma list of up to 32 container or codec names. */
const NameList = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ description }),
    IsOptional(),
    Transform(commaList),
    IsArray(),
    ArrayMaxSize(32),
    IsString({ each: true }),
    Matches(NAME, {
      each: true,
      message: 'each value in $property must be a container or codec name (letters, digits, . _ -; at most 32)',
    }),
  );

/** The capabilities a client declares, as query parameters; everything left out falls back to a plain browser. */
export class PlaybackQueryDto implements PlaybackCapabilities {
  @NameList('Containers the client plays, e.g. `mp4,webm,mkv` (default: mp4, webm, mp3, flac, ogg)')
  containers?: string[];

  @NameList('Video codecs, ffprobe names or RFC 6381 ones, e.g. `h264,hevc` (default: h264, vp9, av1)')
  videoCodecs?: string[];

  @NameList('Audio codecs, e.g. `aac,opus,ac3` (default: aac, mp3, opus, flac)')
  audioCodecs?: string[];

  @ApiPropertyOptional({ minimum: 1, maximum: 100_000, description: 'The tallest video the client plays directly, in pixels' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  maxHeight?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'The highest bitrate the client plays directly, in bits per second' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000_000)
  maxBitrate?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'The audio stream to hear (a `streamIndex` of one of the item’s audio streams)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100_000)
  audioStreamIndex?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_PART,
    description: 'Which file of a film in parts (1-based); without it the whole film: HLS plays every part as one, direct play the first',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PART)
  part?: number;
}
