import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type ApplyScrapeRequest, EDITABLE_ITEM_FIELDS, type EditableItemField, type IdentifyRequest } from '@marquee/contracts';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class IdentifyDto implements IdentifyRequest {
  @ApiPropertyOptional({ description: "Search for this title instead of the item's", example: 'Alien' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title?: string;

  @ApiPropertyOptional({ example: 1979 })
  @IsOptional()
  @IsInt()
  @Min(1800)
  @Max(2200)
  year?: number;

  @ApiPropertyOptional({ description: 'Only these scrapers (ids from GET plugins/scrapers)', example: ['builtin:nfo'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  scrapers?: string[];
}

export class ApplyScrapeDto implements ApplyScrapeRequest {
  @ApiProperty({ example: 'plugin:org.marquee.example-catalogue' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  scraper: string;

  @ApiProperty({ description: "The candidate's ref from identify", example: 'alien-1979' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  ref: string;

  @ApiPropertyOptional({ description: 'Only these fields (locked fields are never written)', enum: EDITABLE_ITEM_FIELDS, isArray: true })
  @IsOptional()
  @IsArray()
  @IsIn(EDITABLE_ITEM_FIELDS, { each: true, message: `each value in fields must be one of: ${EDITABLE_ITEM_FIELDS.join(', ')}` })
  fields?: EditableItemField[];

  @ApiPropertyOptional({ description: "Download the candidate's artwork (default true)" })
  @IsOptional()
  @IsBoolean()
  artwork?: boolean;
}
