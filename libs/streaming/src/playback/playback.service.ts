import { extname } from 'node:path';
import { BadRequestException, Injectable } from '@nestjs/common';
import { API_PREFIX, type PlaybackInfo } from '@marquee/contracts';
import { StreamTokenService } from '@marquee/auth/tokens/stream-token.service.js';
import { type PlayableFile, PlayableFiles, type PlayableStream } from '../direct/playable-files.js';
import { SubtitleTracksService } from '../subtitles/subtitle-tracks.service.js';
import { TrickplayService } from '../trickplay/trickplay.service.js';
import { resolveCapabilities } from './capabilities.js';
import { decidePlayback, type MediaProfile } from './playback-decision.js';
import type { PlaybackQueryDto } from './playback-query.dto.js';

/** How long the signed URLs of one playback answer stay good: a long film, paused, then resumed. */
export const PLAYBACK_TOKEN_TTL_SECONDS = 6 * 3600;

/** The stream of `streams` a player picks by itself: the default-flagged one of that type, else the first. */
export function defaultStream(streams: readonly PlayableStream[], type: 'video' | 'audio'): PlayableStream | undefined {
  const candidates = streams.filter((stream) => stream.type === type);
  return candidates.find((stream) => stream.isDefault) ?? candidates[0];
}

/**
 * `GET items/:id/playback`: direct play or HLS for this client, with signed URLs (bound to the caller
 * and the item) for the file, the HLS master playlist, every subtitle track and the trickplay track.
 */
@Injectable()
export class PlaybackService {
  constructor(
    private readonly files: PlayableFiles,
    private readonly streamTokens: StreamTokenService,
    private readonly subtitles: SubtitleTracksService,
    private readonly trickplay: TrickplayService,
  ) {}

  async playback(itemId: string, userId: string, query: PlaybackQueryDto, now = Date.now()): Promise<PlaybackInfo> {
    const file = await this.files.resolve(itemId, query.part);
    const streams = await this.files.streams(file.fileId);
    const audio = this.chosenAudio(itemId, streams, query.audioStreamIndex);
    const whole = query.part === undefined && file.filmParts > 1;
    const decision = decidePlayback(
      { ...this.profile(file, streams, audio), parts: whole ? file.filmParts : 1 },
      resolveCapabilities(query),
    );

    const token = this.streamTokens.sign(userId, itemId, PLAYBACK_TOKEN_TTL_SECONDS, now);
    const signed = (path: string, extra: Record<string, string | number | undefined> = {}) => {
      const params = new URLSearchParams({ st: token });
      for (const [key, value] of Object.entries(extra)) if (value !== undefined) params.set(key, String(value));
      return `/${API_PREFIX}/${path}?${params.toString()}`;
    };
    const [subtitles, trickplay] = await Promise.all([this.subtitles.list(itemId), this.trickplay.info(itemId)]);
    return {
      itemId,
      decision,
      directUrl: signed(`stream/${itemId}`, { part: query.part }),
      hlsUrl:
        file.category === 'image'
          ? null
          : signed(`stream/${itemId}/hls/master.m3u8`, { audio: query.audioStreamIndex !== undefined ? audio?.streamIndex : undefined }),
      subtitles: subtitles.map((track) => ({ ...track, url: signed(track.path) })),
      trickplay: trickplay ? { ...trickplay, url: signed(trickplay.path) } : null,
      durationMs: whole ? file.totalDurationMs : file.durationMs,
      expiresAt: new Date(Math.floor(now / 1000) * 1000 + PLAYBACK_TOKEN_TTL_SECONDS * 1000).toISOString(),
    };
  }

  /** The audio stream to hear: the one asked for (which must be an audio stream of the file), else the default. */
  private chosenAudio(itemId: string, streams: readonly PlayableStream[], requested: number | undefined): PlayableStream | undefined {
    if (requested === undefined) return defaultStream(streams, 'audio');
    const audio = streams.filter((stream) => stream.type === 'audio');
    const match = audio.find((stream) => stream.streamIndex === requested);
    if (!match) {
      const known = audio.map((stream) => stream.streamIndex).join(', ') || 'none';
      throw new BadRequestException(`audioStreamIndex ${requested} is not an audio stream of item ${itemId} (its audio streams: ${known})`);
    }
    return match;
  }

  private profile(file: PlayableFile, streams: readonly PlayableStream[], audio: PlayableStream | undefined): MediaProfile {
    const video = defaultStream(streams, 'video');
    const extension = extname(file.path).slice(1).toLowerCase();
    return {
      category: file.category,
      container: file.container ?? (extension || null),
      video: video ? { codec: video.codec, width: video.width, height: video.height } : null,
      audio: audio ? { streamIndex: audio.streamIndex, codec: audio.codec } : null,
      audioIsNotDefault: audio !== undefined && audio !== defaultStream(streams, 'audio'),
      bitrate: file.bitrate ?? sumOfStreamBitrates(streams),
    };
  }
}

function sumOfStreamBitrates(streams: readonly PlayableStream[]): number | null {
  const known = streams.filter((stream) => stream.bitrate !== null && (stream.type === 'video' || stream.type === 'audio'));
  return known.length ? known.reduce((total, stream) => total + stream.bitrate!, 0) : null;
}
