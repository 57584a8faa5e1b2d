import { pipeline } from 'node:stream/promises';
import { Controller, Delete, Get, Header, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, StreamRoute } from '@marquee/auth/decorators.js';
import type { Principal } from '@marquee/auth/principal.js';
import { type HlsRendition, type HlsStopResult, PROBLEM_CONTENT_TYPE } from '@marquee/contracts';
import { PROBLEM_TYPE_BASE } from '@marquee/core';
import type { Response } from 'express';
import { parseAudioIndex, parseSegmentName, RenditionPipe } from './hls-request.js';
import { HlsPlaylistsService } from './hls-playlists.service.js';
import { HlsQueryDto } from './hls-query.dto.js';
import { HlsSegmentsService, SegmentNotReadyException } from './hls-segments.service.js';

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';

@ApiTags('streaming')
@ApiBearerAuth()
@Controller('stream/:itemId/hls')
export class HlsController {
  constructor(
    private readonly playlists: HlsPlaylistsService,
    private readonly segments: HlsSegmentsService,
  ) {}

  @Get('master.m3u8')
  @StreamRoute()
  @Header('Content-Type', PLAYLIST_TYPE)
  @Header('Cache-Control', 'private, no-cache')
  @ApiProduces(PLAYLIST_TYPE)
  @ApiOperation({ summary: 'HLS master playlist: the renditions the source allows (never upscaled) plus audio alone' })
  master(@Param('itemId', ParseUUIDPipe) itemId: string, @Query() query: HlsQueryDto): Promise<string> {
    return this.playlists.master(itemId, { audio: parseAudioIndex(query.audio), st: query.st });
  }

  @Get(':rendition/index.m3u8')
  @StreamRoute()
  @Header('Content-Type', PLAYLIST_TYPE)
  @Header('Cache-Control', 'private, no-cache')
  @ApiProduces(PLAYLIST_TYPE)
  @ApiOperation({ summary: 'HLS media playlist of one rendition: complete (VOD) before any segment exists' })
  media(
    @Param('itemId', ParseUUIDPipe) itemId: string,
    @Param('rendition', RenditionPipe) rendition: HlsRendition,
    @Query() query: HlsQueryDto,
  ): Promise<string> {
    return this.playlists.media(itemId, rendition, { audio: parseAudioIndex(query.audio), st: query.st });
  }

  @Get(':rendition/:segment')
  @StreamRoute()
  @ApiProduces('video/mp2t')
  @ApiOperation({ summary: 'One MPEG-TS segment: from the cache, or as soon as the transcode finishes it (503 + Retry-After past ~7 s)' })
  async segment(
    @Param('itemId', ParseUUIDPipe) itemId: string,
    @Param('rendition', RenditionPipe) rendition: HlsRendition,
    @Param('segment') name: string,
    @Query() query: HlsQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
  ): Promise<void> {
    // Parsed here rather than by a parameter pipe: the global ValidationPipe would first turn a
    // number-typed parameter into NaN.
    const index = parseSegmentName(name);
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    let segment;
    try {
      segment = await this.segments.open(itemId, rendition, index, parseAudioIndex(query.audio), principal.userId, gone.signal);
    } catch (error) {
      if (!(error instanceof SegmentNotReadyException)) throw error;
      // An expected answer while a transcode catches up (players retry it): answered here, so it is
      // not logged as a server failure.
      const problem = { type: `${PROBLEM_TYPE_BASE}service-unavailable`, title: 'Service Unavailable', status: 503, detail: error.message };
      res.status(503).setHeader('Retry-After', '1').type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
      return;
    }
    res.status(200);
    res.setHeader('Content-Type', 'video/mp2t');
    res.setHeader('Content-Length', String(segment.size));
    res.setHeader('Cache-Control', 'private, max-age=300');
    try {
      await pipeline(segment.handle.createReadStream({ autoClose: true }), res);
    } catch {
      // The client went away mid-segment: nothing to answer.
    } finally {
      await segment.handle.close().catch(() => undefined);
    }
  }

  @Delete()
  @StreamRoute()
  @ApiOperation({ summary: "Stop playback: ends the caller's transcodes of this item at once (those others still watch go on)" })
  stop(@Param('itemId', ParseUUIDPipe) itemId: string, @CurrentPrincipal() principal: Principal): Promise<HlsStopResult> {
    return this.playlists.stop(itemId, principal.userId);
  }
}
