import { Injectable } from '@nestjs/common';
import type { HlsRendition, HlsStopResult } from '@marquee/contracts';
import { childQuery, masterPlaylist, mediaPlaylist } from '../playlists/playlists.js';
import { TranscodeStore } from '../sessions/transcode-store.js';
import { HlsSourceService } from '../source/hls-source.service.js';

export interface PlaylistQuery {
  audio?: number;
  /** The caller's stream token, carried into every URI so header-less players can follow them. */
  st?: string;
}

/** Playlists are computed from the catalogue alone: no ffmpeg, no waiting, the same text on every fetch. */
@Injectable()
export class HlsPlaylistsService {
  constructor(
    private readonly sources: HlsSourceService,
    private readonly store: TranscodeStore,
  ) {}

  async master(itemId: string, query: PlaylistQuery): Promise<string> {
    const source = await this.sources.load(itemId);
    // Validates the choice against the item's audio streams.
    this.sources.audioStream(source, query.audio);
    return masterPlaylist(this.sources.ladder(source), childQuery(query));
  }

  async media(itemId: string, rendition: HlsRendition, query: PlaylistQuery): Promise<string> {
    const variant = this.sources.variant(await this.sources.load(itemId), rendition, query.audio);
    return mediaPlaylist(variant.plan, childQuery(query));
  }

  async stop(itemId: string, userId: string): Promise<HlsStopResult> {
    await this.sources.assertItem(itemId);
    return this.store.stopForViewer(itemId, userId);
  }
}
