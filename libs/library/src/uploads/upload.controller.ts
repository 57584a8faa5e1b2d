import { Controller, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@marquee/auth/decorators.js';
import type { UploadResponse } from '@marquee/contracts';
import type { Request } from 'express';
import { UploadService } from './upload.service.js';

@ApiTags('libraries')
@ApiBearerAuth()
@AdminOnly()
@Controller('libraries')
export class UploadController {
  constructor(private readonly uploads: UploadService) {}

  @Post(':id/upload')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Upload one file into a library folder (streamed to disk, size-limited, never overwrites); a scan of it is queued',
    description:
      'multipart/form-data. Optional `folder` (a relative sub-folder, created when absent) and `folderIndex` (which library ' +
      'folder, default 0) must come before the `file` part. 409 when the name exists, 413 over MARQUEE_UPLOAD_MAX_BYTES, ' +
      '415 for types that are not media, subtitles, NFO or archives, or whose content does not match the extension.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        folder: { type: 'string', example: 'Movies/Alien (1979)' },
        folderIndex: { type: 'integer', minimum: 0, default: 0 },
        file: { type: 'string', format: 'binary' },
      },
    },
  })
  upload(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request): Promise<UploadResponse> {
    return this.uploads.upload(id, req);
  }
}
