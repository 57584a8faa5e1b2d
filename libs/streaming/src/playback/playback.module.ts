import { Module } from '@nestjs/common';
import { StreamTokenService } from '@marquee/auth/tokens/stream-token.service.js';
import { DirectStreamModule } from '../direct/direct-stream.module.js';
import { SubtitlesHttpModule } from '../subtitles/subtitles-http.module.js';
import { TrickplayHttpModule } from '../trickplay/trickplay-http.module.js';
import { PlaybackController } from './playback.controller.js';
import { PlaybackService } from './playback.service.js';

/** The playback decision. StreamTokenService is stateless (it needs only AppConfig), so it is provided here. */
@Module({
  imports: [DirectStreamModule, SubtitlesHttpModule, TrickplayHttpModule],
  controllers: [PlaybackController],
  providers: [PlaybackService, StreamTokenService],
})
export class PlaybackModule {}
