import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, StreamRoute } from '@marquee/auth/decorators.js';
import type { Principal } from '@marquee/auth/principal.js';
import { PageQueryDto } from '@marquee/core';
import { etagMatches } from '@marquee/library/artwork/artwork.controller.js';
import type { Request, Response } from 'express';
import { AddPlaylistItemsDto, CoverQueryDto, CreatePlaylistDto, EntriesPageDto, MoveEntryDto, UpdatePlaylistDto } from '../dto.js';
import { PlaylistCovers } from './playlist-covers.service.js';
import { PlaylistsService } from './playlists.service.js';

const ONE_DAY_SECONDS = 86_400;
/** A picture is a document of its own when opened directly: nothing may run in it. */
const PICTURE_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

@ApiTags('playlists')
@ApiBearerAuth()
@Controller('playlists')
export class PlaylistsController {
  constructor(
    private readonly playlists: PlaylistsService,
    private readonly covers: PlaylistCovers,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your playlists, by name' })
  list(@Query() page: PageQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.playlists.list(principal.userId, page.limit, page.offset);
  }

  @Post()
  @ApiOperation({ summary: 'Create a playlist, optionally with items (an album, artist, series or season adds what it holds)' })
  create(@Body() dto: CreatePlaylistDto, @CurrentPrincipal() principal: Principal) {
    return this.playlists.create(principal.userId, dto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A playlist with a page of its entries (each with its own entry id)' })
  get(@Param('id', ParseUUIDPipe) id: string, @Query() page: EntriesPageDto, @CurrentPrincipal() principal: Principal) {
    return this.playlists.detail(principal.userId, id, page.limit, page.offset);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename or describe a playlist' })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdatePlaylistDto, @CurrentPrincipal() principal: Principal) {
    return this.playlists.update(principal.userId, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a playlist' })
  async remove(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    await this.playlists.remove(principal.userId, id);
  }

  @Post(':id/items')
  @ApiOperation({ summary: 'Add items at an index or at the end; the same item may be added twice' })
  add(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AddPlaylistItemsDto, @CurrentPrincipal() principal: Principal) {
    return this.playlists.add(principal.userId, id, dto);
  }

  @Delete(':id/items/:itemId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an entry by its entry id, or every entry of an item by the item id' })
  async removeEntry(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('itemId', ParseUUIDPipe) entryOrItemId: string,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.playlists.removeEntry(principal.userId, id, entryOrItemId);
  }

  @Put(':id/order')
  @ApiOperation({ summary: 'Move one entry to an index, or right after another entry; only that entry is rewritten' })
  move(@Param('id', ParseUUIDPipe) id: string, @Body() dto: MoveEntryDto, @CurrentPrincipal() principal: Principal) {
    return this.playlists.move(principal.userId, id, dto);
  }

  @Get(':id/cover')
  @StreamRoute()
  @ApiOperation({ summary: 'The cover: a 2×2 collage of the first items’ pictures (webp); also by the signed `?st=` URL of the playlist' })
  async cover(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: CoverQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.playlists.requireOwn(principal.userId, id);
    const cover = await this.covers.render(id, query.size);
    res.setHeader('ETag', cover.etag);
    res.setHeader('Cache-Control', `private, max-age=${ONE_DAY_SECONDS}${query.v === cover.version ? ', immutable' : ''}`);
    res.setHeader('Content-Security-Policy', PICTURE_CSP);
    if (etagMatches(req.headers['if-none-match'], cover.etag)) {
      res.status(304).end();
      return;
    }
    let handle;
    try {
      handle = await open(cover.path, 'r');
    } catch {
      throw new NotFoundException(`The cover of playlist ${id} is missing`);
    }
    try {
      const { size } = await handle.stat();
      res.status(200).type('image/webp').setHeader('Content-Length', String(size));
      await pipeline(handle.createReadStream({ autoClose: false }), res).catch(() => undefined);
    } finally {
      await handle.close();
    }
  }
}
