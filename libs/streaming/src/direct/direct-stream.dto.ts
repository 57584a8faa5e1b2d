import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** Items are split into at most this many files (CD1…CDn); a bigger part number is refused at the edge. */
export const MAX_PART = 999;

export class DirectStreamQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PART, description: 'Which file of a multi-part item (1-based, path order); default 1' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PART)
  part?: number;

  @ApiPropertyOptional({ description: 'Signed stream token, for players that cannot send headers' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  st?: string;
}
