import { Module } from '@nestjs/common';
import { ArtworkController } from '../artwork/artwork.controller.js';
import { ArtworkModule } from '../artwork/artwork.module.js';
import { ItemEditorService } from '../editing/item-editor.service.js';
import { CatalogueNamesController } from './catalogue-names.controller.js';
import { CatalogueNamesService } from './catalogue-names.service.js';
import { ItemsController } from './items.controller.js';
import { ItemsQueryService } from './items-query.service.js';
import { SearchController } from './search.controller.js';

/** Browse, search, the genres / studios / people lists, item detail, metadata editing and artwork over HTTP. */
@Module({
  imports: [ArtworkModule],
  controllers: [ItemsController, SearchController, CatalogueNamesController, ArtworkController],
  providers: [ItemsQueryService, ItemEditorService, CatalogueNamesService],
  exports: [ItemsQueryService, ItemEditorService],
})
export class ItemsHttpModule {}
