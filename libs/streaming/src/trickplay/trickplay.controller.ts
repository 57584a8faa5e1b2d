import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, StreamRoute } from '@marquee/auth/decorators.js';
import type { Principal } from '@marquee/auth/principal.js';
import { STREAM_TOKEN_QUERY } from '@marquee/auth/auth.constants.js';
import { etagMatches } from '@marquee/library/artwork/artwork.controller.js';
import type { Request, Response } from 'express';
import { TrickplayService } from './trickplay.service.js';

const TRACK_CACHE_SECONDS = 3600;
const SPRITE_CACHE_SECONDS = 86_400;

@ApiTags('streaming')
@ApiBearerAuth()
@Controller('items')
export class TrickplayController {
  constructor(private readonly trickplay: TrickplayService) {}

  @Get(':id/trickplay.vtt')
  @StreamRoute()
  @ApiOperation({
    summary:
      'Seek-bar thumbnails as a WebVTT track whose cues point at sprite sheets (`trickplay/<n>.jpg#xywh=x,y,w,h`); 404 until generated (asking queues it). Fetched with `?st=`, the image URLs carry the token',
  })
  async track(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const token = principal.via === 'stream-token' ? req.query[STREAM_TOKEN_QUERY] : undefined;
    const track = await this.trickplay.track(id, typeof token === 'string' ? token : undefined);
    res.setHeader('ETag', track.etag);
    res.setHeader('Cache-Control', `private, max-age=${TRACK_CACHE_SECONDS}`);
    if (etagMatches(req.headers['if-none-match'], track.etag)) {
      res.status(304).end();
      return;
    }
    res.status(200).type('text/vtt; charset=utf-8').send(track.body);
  }

  @Get(':id/trickplay/:sheet.jpg')
  @StreamRoute()
  @ApiOperation({ summary: 'A trickplay sprite sheet (JPEG, 10 × 10 thumbnails); also by signed `?st=` URL' })
  async sprite(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('sheet') sheet: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const sprite = await this.trickplay.sprite(id, sheet);
    let handle;
    try {
      handle = await open(sprite.path, 'r');
    } catch {
      throw new NotFoundException(`Sprite sheet ${sheet} of item ${id} is missing`);
    }
    try {
      const { size } = await handle.stat();
      res.setHeader('ETag', sprite.etag);
      res.setHeader('Cache-Control', `private, max-age=${SPRITE_CACHE_SECONDS}`);
      if (etagMatches(req.headers['if-none-match'], sprite.etag)) {
        res.status(304).end();
        return;
      }
      res.status(200).type('image/jpeg').setHeader('Content-Length', String(size));
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      await pipeline(handle.createReadStream({ autoClose: false }), res).catch(() => undefined);
    } finally {
      await handle.close();
    }
  }
}
