import { Module } from '@nestjs/common';
import { DirectStreamController } from './direct-stream.controller.js';
import { DirectStreamService } from './direct-stream.service.js';
import { PlayableFiles } from './playable-files.js';

/** Direct play over HTTP ranges; exports the lookup of an item's playable file for the playback decision. */
@Module({
  controllers: [DirectStreamController],
  providers: [PlayableFiles, DirectStreamService],
  exports: [PlayableFiles],
})
export class DirectStreamModule {}
