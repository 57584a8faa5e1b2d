import { Module } from '@nestjs/common';
import { StreamTokenService } from '@marquee/auth/tokens/stream-token.service.js';
import { ArtworkModule } from '@marquee/library/artwork/artwork.module.js';
import { HistoryController } from './history/history.controller.js';
import { HistoryService } from './history/history.service.js';
import { ItemSummaries } from './items/item-summaries.service.js';
import { PlayableItems } from './items/playable-items.service.js';
import { PlaylistCovers } from './playlists/playlist-covers.service.js';
import { PlaylistsController } from './playlists/playlists.controller.js';
import { PlaylistsService } from './playlists/playlists.service.js';
import { PlayQueueController } from './queue/play-queue.controller.js';
import { PlayQueueService } from './queue/play-queue.service.js';
import { UserDataController } from './user-data/user-data.controller.js';
import { UserDataService } from './user-data/user-data.service.js';

/**
 * Each user's own state over HTTP: played, resume points, favourites and ratings, play history,
 * playlists and the play queue. StreamTokenService signs playlist cover URLs (stateless; see ArtworkModule).
 */
@Module({
  imports: [ArtworkModule],
  controllers: [UserDataController, HistoryController, PlaylistsController, PlayQueueController],
  providers: [
    ItemSummaries,
    PlayableItems,
    UserDataService,
    HistoryService,
    PlaylistCovers,
    PlaylistsService,
    PlayQueueService,
    StreamTokenService,
  ],
  exports: [UserDataService, HistoryService, PlaylistsService, PlayQueueService],
})
export class UsersDataHttpModule {}
