import { Module } from '@nestjs/common';
import { ArtworkController } from '../artwork/artwork.controller.js';
import { ArtworkModule } from '../artwork/artwork.module.js';
import { ItemEditorService } from '../editing/item-editor.service.js';
import { ItemsController } from './items.controller.js';
import { ItemsQueryService } from './items-query.service.js';
import { SearchController } from './search.controller.js';

/** Browse, search, item detail, metadata editing and artwork over HTTP. */
@Module({
  imports: [ArtworkModule],
  controllers: [ItemsController, SearchController, ArtworkController],
  providers: [ItemsQueryService, ItemEditorService],
  exports: [ItemsQueryService, ItemEditorService],
})
export class ItemsHttpModule {}
