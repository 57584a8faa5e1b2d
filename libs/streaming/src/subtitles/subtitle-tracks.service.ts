import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isTextSubtitleCodec, type SubtitleTrack } from '@marquee/contracts';
import { MediaStream } from '@marquee/library';
import { DataSource } from 'typeorm';
import { findSidecarSubtitles, type SidecarSubtitle } from './sidecar-discovery.js';
import { SIDECAR_FORMATS } from './sidecar-name.js';
import { languageName, normalizeLanguage } from './subtitle-language.js';
import { type VideoSource, VideoSources } from './video-source.js';

export const subtitlePath = (itemId: string, trackId: string) => `items/${itemId}/subtitles/${trackId}.vtt`;

/**
 * The subtitle tracks of an item, all served as WebVTT: its video file's embedded text streams
 * (`id` = the stream index) and the sidecar files next to it (`id` = `ext-<n>`). Image-based
 * streams (PGS, DVD, DVB) are left out: they cannot be turned into text.
 */
@Injectable()
export class SubtitleTracksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sources: VideoSources,
  ) {}

  /** 404 for an unknown item; [] for an item with no video file. */
  async list(itemId: string): Promise<SubtitleTrack[]> {
    const source = await this.sources.forItem(itemId);
    if (!source) return [];
    const [embedded, sidecars] = await Promise.all([
      this.embeddedStreams(source),
      findSidecarSubtitles(source.file.path, source.library.folders),
    ]);
    return [...embedded.map((stream) => embeddedTrack(itemId, stream)), ...sidecars.map((sidecar) => sidecarTrack(itemId, sidecar))];
  }

  /** The embedded subtitle streams (text and image) of the item's video file. */
  async embeddedStreams(source: VideoSource, options: { includeImages?: boolean } = {}): Promise<MediaStream[]> {
    const streams = await this.dataSource
      .getRepository(MediaStream)
      .find({ where: { fileId: source.file.id, type: 'subtitle' }, order: { streamIndex: 'ASC' } });
    return options.includeImages ? streams : streams.filter((stream) => isTextSubtitleCodec(stream.codec));
  }
}

export function embeddedTrack(itemId: string, stream: MediaStream): SubtitleTrack {
  const language = normalizeLanguage(stream.language);
  const id = String(stream.streamIndex);
  return {
    id,
    language,
    label: trackLabel(stream.title?.trim() || languageName(language) || `Track ${stream.streamIndex}`, { forced: stream.isForced }),
    codec: stream.codec ?? 'unknown',
    external: false,
    default: stream.isDefault,
    forced: stream.isForced,
    path: subtitlePath(itemId, id),
  };
}

export function sidecarTrack(itemId: string, sidecar: SidecarSubtitle): SubtitleTrack {
  const base = [languageName(sidecar.language), sidecar.title].filter(Boolean).join(' – ') || sidecar.fileName;
  return {
    id: sidecar.id,
    language: sidecar.language,
    label: trackLabel(base, { forced: sidecar.forced, hearingImpaired: sidecar.hearingImpaired }),
    codec: SIDECAR_FORMATS[sidecar.format],
    external: true,
    default: sidecar.default,
    forced: sidecar.forced,
    hearingImpaired: sidecar.hearingImpaired,
    path: subtitlePath(itemId, sidecar.id),
  };
}

function trackLabel(base: string, flags: { forced?: boolean; hearingImpaired?: boolean }): string {
  const notes = [flags.forced ? 'Forced' : undefined, flags.hearingImpaired ? 'SDH' : undefined].filter(Boolean);
  return notes.length ? `${base} (${notes.join(', ')})` : base;
}
