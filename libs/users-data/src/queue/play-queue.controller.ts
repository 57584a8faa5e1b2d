import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '@marquee/auth/decorators.js';
import type { Principal } from '@marquee/auth/principal.js';
import { EntriesPageDto, MoveEntryDto, QueueItemsDto, ReplaceQueueDto, UpdateQueueDto } from '../dto.js';
import { PlayQueueService } from './play-queue.service.js';

@ApiTags('play queue')
@ApiBearerAuth()
@Controller('me/queue')
export class PlayQueueController {
  constructor(private readonly queue: PlayQueueService) {}

  @Get()
  @ApiOperation({ summary: 'Your play queue (the same on every device): a page of entries, the current index and position' })
  get(@Query() page: EntriesPageDto, @CurrentPrincipal() principal: Principal) {
    return this.queue.get(principal.userId, page);
  }

  @Put()
  @ApiOperation({ summary: 'Replace the queue; an album, artist, series or season stands for what it holds' })
  replace(@Body() dto: ReplaceQueueDto, @CurrentPrincipal() principal: Principal) {
    return this.queue.replace(principal.userId, dto);
  }

  @Patch()
  @ApiOperation({ summary: 'Where playback is: the current entry (index or entry id) and the position in it' })
  update(@Body() dto: UpdateQueueDto, @CurrentPrincipal() principal: Principal) {
    return this.queue.update(principal.userId, dto);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Empty the queue' })
  async clear(@CurrentPrincipal() principal: Principal) {
    await this.queue.clear(principal.userId);
  }

  @Post('next')
  @HttpCode(200)
  @ApiOperation({ summary: 'Play these right after the current entry' })
  next(@Body() dto: QueueItemsDto, @CurrentPrincipal() principal: Principal) {
    return this.queue.add(principal.userId, dto.itemIds, 'next');
  }

  @Post('last')
  @HttpCode(200)
  @ApiOperation({ summary: 'Play these at the end of the queue' })
  last(@Body() dto: QueueItemsDto, @CurrentPrincipal() principal: Principal) {
    return this.queue.add(principal.userId, dto.itemIds, 'last');
  }

  @Put('order')
  @ApiOperation({ summary: 'Move one entry to an index, or right after another entry' })
  move(@Body() dto: MoveEntryDto, @CurrentPrincipal() principal: Principal) {
    return this.queue.move(principal.userId, dto);
  }

  @Delete('entries/:entryId')
  @ApiOperation({ summary: 'Remove one entry; if it was playing, the next one becomes current' })
  removeEntry(@Param('entryId', ParseUUIDPipe) entryId: string, @CurrentPrincipal() principal: Principal) {
    return this.queue.removeEntry(principal.userId, entryId);
  }
}
