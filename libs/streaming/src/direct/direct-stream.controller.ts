import { Controller, Get, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { StreamRoute } from '@marquee/auth/decorators.js';
import type { Request, Response } from 'express';
import { DirectStreamQueryDto } from './direct-stream.dto.js';
import { DirectStreamService } from './direct-stream.service.js';
import { sendFile } from './file-response.js';

@ApiTags('streaming')
@ApiBearerAuth()
@Controller('stream')
export class DirectStreamController {
  constructor(private readonly direct: DirectStreamService) {}

  /** Express routes HEAD here too; sendFile answers it with the headers of a full response. */
  @Get(':itemId')
  @StreamRoute()
  @ApiOperation({
    summary:
      'Direct play (GET/HEAD): the item’s file with RFC 9110 ranges (single and multipart), ETag/Last-Modified, 304/412, If-Range, 416; also by signed `?st=` URL',
  })
  async stream(
    @Param('itemId', ParseUUIDPipe) itemId: string,
    @Query() query: DirectStreamQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await sendFile(req, res, await this.direct.fileToSend(itemId, query.part));
  }
}
