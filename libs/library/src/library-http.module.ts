import { Module } from '@nestjs/common';
import { QueuesModule } from '@marquee/jobs';
import { ItemsHttpModule } from './items/items-http.module.js';
import { LibrariesController } from './libraries/libraries.controller.js';
import { LibraryService } from './libraries/library.service.js';
import { LibrarySchedule } from './libraries/library-schedule.js';
import { MediaDirsBootstrap } from './libraries/media-dirs-bootstrap.js';
import { UploadController } from './uploads/upload.controller.js';
import { UploadService } from './uploads/upload.service.js';

/** The HTTP side of the library: libraries (admin), items, search, artwork, editing, uploads. */
@Module({
  imports: [QueuesModule, ItemsHttpModule],
  controllers: [LibrariesController, UploadController],
  providers: [LibraryService, LibrarySchedule, MediaDirsBootstrap, UploadService],
  exports: [LibraryService],
})
export class LibraryHttpModule {}
