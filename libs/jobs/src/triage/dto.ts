import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JOB_STATES, type JobState, QUEUE_NAMES, type QueueName } from '@marquee/contracts';
import { PageQueryDto } from '@marquee/core';
import {
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_QUEUE_CONCURRENCY, MIN_QUEUE_CONCURRENCY } from '../scheduling/queue-concurrency.js';

/** Ledger ids are BullMQ job ids: our UUIDs, or the ids BullMQ gives scheduler runs (`repeat:…`). */
export const JOB_ID_PATTERN = /^[A-Za-z0-9:_-]{1,64}$/;

export const JOB_SORTS = ['-createdAt', 'createdAt', '-finishedAt', 'finishedAt', '-durationMs', 'durationMs'] as const;
export type JobSort = (typeof JOB_SORTS)[number];

export const FINISHED_JOB_STATES = ['completed', 'failed', 'cancelled'] as const satisfies readonly JobState[];
export type FinishedJobState = (typeof FINISHED_JOB_STATES)[number];

const oneOf = (values: readonly string[]) => ({ message: `$property must be one of: ${values.join(', ')}` });

export class JobsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: QUEUE_NAMES })
  @IsOptional()
  @IsIn(QUEUE_NAMES, oneOf(QUEUE_NAMES))
  queue?: QueueName;

  @ApiPropertyOptional({ enum: JOB_STATES })
  @IsOptional()
  @IsIn(JOB_STATES, oneOf(JOB_STATES))
  state?: JobState;

  @ApiPropertyOptional({ description: 'What the job works on, e.g. `item`, `library`' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  targetType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  targetId?: string;

  @ApiPropertyOptional({ description: 'Case-insensitive substring of the job name, target label, error or id' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'Created at or after (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: '$property must be an ISO 8601 date' })
  from?: string;

  @ApiPropertyOptional({ description: 'Created before (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: '$property must be an ISO 8601 date' })
  to?: string;

  @ApiPropertyOptional({ enum: JOB_SORTS, default: '-createdAt', description: 'A leading `-` sorts newest/longest first' })
  @IsOptional()
  @IsIn(JOB_SORTS, oneOf(JOB_SORTS))
  sort: JobSort = '-createdAt';
}

export class JobIdParams {
  @ApiProperty()
  @Matches(JOB_ID_PATTERN, { message: 'id must be 1 to 64 letters, digits, ":", "_" or "-"' })
  id: string;
}

export class QueueConcurrencyDto {
  @ApiProperty({ minimum: MIN_QUEUE_CONCURRENCY, maximum: MAX_QUEUE_CONCURRENCY, description: 'Parallel jobs per worker process' })
  @IsInt()
  @Min(MIN_QUEUE_CONCURRENCY)
  @Max(MAX_QUEUE_CONCURRENCY)
  concurrency: number;
}

export class RetryFailedDto {
  @ApiPropertyOptional({ default: 7, minimum: 1, maximum: 3650, description: 'Jobs that failed within this many days' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  days: number = 7;
}

export class CleanQueueDto {
  @ApiProperty({ minimum: 0, maximum: 3650, description: 'Finished jobs older than this many days go (0: all of them)' })
  @IsInt()
  @Min(0)
  @Max(3650)
  olderThanDays: number;

  @ApiPropertyOptional({ enum: FINISHED_JOB_STATES, isArray: true, default: FINISHED_JOB_STATES })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(FINISHED_JOB_STATES, { each: true, message: `each value in $property must be one of: ${FINISHED_JOB_STATES.join(', ')}` })
  states?: FinishedJobState[];
}
