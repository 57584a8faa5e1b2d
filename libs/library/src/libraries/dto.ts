import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LIBRARY_KINDS, type LibraryKind } from '@marquee/contracts';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';

const kinds = { message: `$property must be one of: ${LIBRARY_KINDS.join(', ')}` };

export class CreateLibraryDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name: string;

  @ApiProperty({ enum: LIBRARY_KINDS })
  @IsIn(LIBRARY_KINDS, kinds)
  kind: LibraryKind;

  @ApiProperty({ type: [String], description: 'Absolute folder paths the server can read' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @IsString({ each: true })
  @MaxLength(4096, { each: true })
  folders: string[];

  @ApiPropertyOptional({ description: 'Minutes between scheduled scans (5 to 10080); null turns the schedule off' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(5)
  @Max(10080)
  scanIntervalMinutes?: number | null;
}

export class UpdateLibraryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name?: string;

  @ApiPropertyOptional({ enum: LIBRARY_KINDS })
  @IsOptional()
  @IsIn(LIBRARY_KINDS, kinds)
  kind?: LibraryKind;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @IsString({ each: true })
  @MaxLength(4096, { each: true })
  folders?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(5)
  @Max(10080)
  scanIntervalMinutes?: number | null;
}
