import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { StreamTokenAuthenticator } from '@marquee/auth/tokens/stream-token-authenticator.js';
import { StreamTokenService } from '@marquee/auth/tokens/stream-token.service.js';
import { DirectStreamFastPath } from './direct-stream-fast-path.js';
import { DirectStreamController } from './direct-stream.controller.js';
import { DirectStreamService } from './direct-stream.service.js';
import { PlayableFiles } from './playable-files.js';

/** Direct play over HTTP ranges; exports the lookup of an item's playable file for the playback decision. */
@Module({
  controllers: [DirectStreamController],
  // The token services are stateless (they need only AppConfig and the database), so they are provided here.
  providers: [PlayableFiles, DirectStreamService, StreamTokenService, StreamTokenAuthenticator, DirectStreamFastPath],
  exports: [PlayableFiles],
})
export class DirectStreamModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(DirectStreamFastPath).forRoutes({ path: 'stream/:itemId', method: RequestMethod.GET });
  }
}
