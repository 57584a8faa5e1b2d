import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@marquee/auth/decorators.js';
import { CreateLibraryDto, UpdateLibraryDto } from './dto.js';
import { LibraryService } from './library.service.js';

@ApiTags('libraries')
@ApiBearerAuth()
@AdminOnly()
@Controller('libraries')
export class LibrariesController {
  constructor(private readonly libraries: LibraryService) {}

  @Get()
  @ApiOperation({ summary: 'Every library with its folders, schedule and item count' })
  list() {
    return this.libraries.list();
  }

  @Post()
  @ApiOperation({ summary: 'Create a library; its folders are checked and a first scan is queued' })
  create(@Body() dto: CreateLibraryDto) {
    return this.libraries.create(dto);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.libraries.getView(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, change folders or kind (which queues a scan), or change the scan interval' })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateLibraryDto) {
    return this.libraries.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove the library and its items (files on disk are not touched)' })
  async remove(@Param('id', ParseUUIDPipe) id: string) {
    await this.libraries.remove(id);
  }

  @Post(':id/scan')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a scan of the whole library (one at a time per library)' })
  scan(@Param('id', ParseUUIDPipe) id: string) {
    return this.libraries.requestScan(id, { priority: 'interactive' });
  }

  @Post(':id/reprobe')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Probe every video and audio file of the library again, streams only (what a newer version records, e.g. a video’s rotation); ' +
      'fingerprints, thumbnails and metadata are not redone',
  })
  reprobe(@Param('id', ParseUUIDPipe) id: string) {
    return this.libraries.requestReprobe(id);
  }
}
