import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class HlsQueryDto {
  @ApiPropertyOptional({
    description: "Index of the source audio stream to play (one of the item's audio streams); default: its default one",
  })
  @IsOptional()
  @IsString()
  @Matches(/^(0|[1-9]\d{0,3})$/, { message: 'audio must be a stream index (0–9999)' })
  audio?: string;

  @ApiPropertyOptional({ description: 'Signed stream token; playlists fetched with one carry it into every URI they list' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @Matches(/^[A-Za-z0-9_.-]+$/, { message: 'st is not a stream token' })
  st?: string;
}
