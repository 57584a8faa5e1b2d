import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal } from '@marquee/auth/decorators.js';
import type { Principal } from '@marquee/auth/principal.js';
import { PageQueryDto } from '@marquee/core';
import { ItemEditorService } from '../editing/item-editor.service.js';
import { ChildrenQueryDto, ItemsQueryDto, UpdateItemDto } from './dto.js';
import { ItemsQueryService } from './items-query.service.js';

@ApiTags('items')
@ApiBearerAuth()
@Controller('items')
export class ItemsController {
  constructor(
    private readonly items: ItemsQueryService,
    private readonly editor: ItemEditorService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Browse: items filtered by type, parent, library, genre, studio, person, year or search, sorted and paged' })
  list(@Query() query: ItemsQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.items.list(query, principal.userId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One item with its files, streams, artwork URLs, your user data and its latest edits' })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.items.detail(id, principal.userId);
  }

  @Get(':id/children')
  @ApiOperation({ summary: 'The seasons of a series, episodes of a season, tracks of an album, extras of a film…' })
  children(@Param('id', ParseUUIDPipe) id: string, @Query() query: ChildrenQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.items.children(id, query, principal.userId);
  }

  @Patch(':id')
  @AdminOnly()
  @ApiOperation({ summary: 'Edit metadata: changed fields become locked against rescans and scrapers; `unlock` lifts locks' })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateItemDto, @CurrentPrincipal() principal: Principal) {
    return this.editor.update(id, dto, principal);
  }

  @Get(':id/edits')
  @ApiOperation({ summary: 'The metadata edit history of an item, newest first' })
  edits(@Param('id', ParseUUIDPipe) id: string, @Query() page: PageQueryDto) {
    return this.items.edits(id, page.limit, page.offset);
  }
}
