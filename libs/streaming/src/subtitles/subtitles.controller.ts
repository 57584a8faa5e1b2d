import { Controller, Get, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { StreamRoute } from '@marquee/auth/decorators.js';
import { etagMatches } from '@marquee/library/artwork/artwork.controller.js';
import type { Request, Response } from 'express';
import { SubtitleDeliveryService, SubtitleNotReadyException } from './subtitle-delivery.service.js';

const CACHE_SECONDS = 3600;

@ApiTags('streaming')
@ApiBearerAuth()
@Controller('items')
export class SubtitlesController {
  constructor(private readonly subtitles: SubtitleDeliveryService) {}

  @Get(':id/subtitles/:track.vtt')
  @StreamRoute()
  @ApiOperation({
    summary:
      'A subtitle track as WebVTT: an embedded text stream by index (extracted on first use; 503 + Retry-After while that runs) or a sidecar file ext-<n>; also by signed `?st=` URL',
  })
  async get(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('track') track: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    let document;
    try {
      document = await this.subtitles.webvtt(id, track);
    } catch (error) {
      if (error instanceof SubtitleNotReadyException) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
    res.setHeader('ETag', document.etag);
    res.setHeader('Cache-Control', `private, max-age=${CACHE_SECONDS}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (etagMatches(req.headers['if-none-match'], document.etag)) {
      res.status(304).end();
      return;
    }
    res.status(200).type('text/vtt; charset=utf-8').send(document.body);
  }
}
