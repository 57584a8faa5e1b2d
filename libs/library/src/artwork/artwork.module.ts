import { Module } from '@nestjs/common';
import { StreamTokenService } from '@marquee/auth/tokens/stream-token.service.js';
import { ArtworkCandidates } from './artwork-candidates.js';
import { ArtworkCacheEviction } from './artwork-cache-eviction.js';
import { ArtworkStore } from './artwork-store.js';
import { ArtworkService } from './artwork.service.js';

/**
 * Artwork files and their resized copies, shared by the api and the worker. StreamTokenService is
 * provided here too (it only needs AppConfig and is stateless) so the worker, which has no auth
 * module, can build the same signed URLs.
 */
@Module({
  providers: [ArtworkStore, ArtworkService, ArtworkCacheEviction, ArtworkCandidates, StreamTokenService],
  exports: [ArtworkStore, ArtworkService, ArtworkCacheEviction, ArtworkCandidates],
})
export class ArtworkModule {}
