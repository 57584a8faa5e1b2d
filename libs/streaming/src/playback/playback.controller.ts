import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '@marquee/auth/decorators.js';
import type { Principal } from '@marquee/auth/principal.js';
import type { PlaybackInfo } from '@marquee/contracts';
import { PlaybackQueryDto } from './playback-query.dto.js';
import { PlaybackService } from './playback.service.js';

@ApiTags('streaming')
@ApiBearerAuth()
@Controller('items')
export class PlaybackController {
  constructor(private readonly playback: PlaybackService) {}

  @Get(':id/playback')
  @ApiOperation({
    summary: 'How to play an item on this client (direct or HLS, with reasons) and signed URLs for the file, HLS, subtitles and trickplay',
  })
  get(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: PlaybackQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PlaybackInfo> {
    return this.playback.playback(id, principal.userId, query);
  }
}
