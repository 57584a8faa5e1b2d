/** Shapes shared by the streaming routes (direct play, HLS, subtitles, trickplay) and the playback decision. */

/** A subtitle track of an item: an embedded text stream (`id` = its stream index) or a sidecar file (`id` = `ext-<n>`). */
export interface SubtitleTrack {
  id: string;
  /** BCP 47 tag (`en`, `pt-BR`) normalized from the stream's or file name's code; null when unknown. */
  language: string | null;
  label: string;
  /** Source format: `subrip`, `ass`, `webvtt`, `mov_text`, ... (always served as WebVTT). */
  codec: string;
  external: boolean;
  default: boolean;
  forced: boolean;
  /** Sidecars named `.sdh.`, `.cc.` or `.hi.`; not known for embedded streams. */
  hearingImpaired?: boolean;
  /** Path under /api/v1 of the WebVTT rendition, e.g. `items/<id>/subtitles/<track id>.vtt`. */
  path: string;
}

/** Trickplay (seek-bar previews) of an item, once its sprite sheets exist. */
export interface TrickplayInfo {
  /** Path under /api/v1 of the WebVTT thumbnails track (`items/<id>/trickplay.vtt`). */
  path: string;
  intervalMs: number;
  tileWidth: number;
  tileHeight: number;
  /** Tiles per row and rows per sprite sheet (the last sheet may hold fewer). */
  columns?: number;
  rows?: number;
  /** Thumbnails in all, one per `intervalMs`. */
  thumbnailCount?: number;
}

/** What a client can play, declared in `GET items/:id/playback` (all optional; unknown means "assume the least"). */
export interface PlaybackCapabilities {
  containers?: string[];
  videoCodecs?: string[];
  audioCodecs?: string[];
  maxHeight?: number;
  maxBitrate?: number;
}

export type PlaybackMethod = 'direct' | 'hls';

export interface PlaybackInfo {
  itemId: string;
  decision: { method: PlaybackMethod; reasons: string[] };
  /** Signed URLs (`?st=`), usable without headers by <video>, <audio> and hls.js. */
  directUrl: string;
  hlsUrl: string | null;
  subtitles: (SubtitleTrack & { url: string })[];
  trickplay: (TrickplayInfo & { url: string }) | null;
  durationMs: number | null;
  expiresAt: string;
}

/**
 * Subtitle codecs (ffprobe names) that ffmpeg can turn into WebVTT. Image-based ones (PGS
 * `hdmv_pgs_subtitle`, DVD `dvd_subtitle`, DVB `dvb_subtitle`, `xsub`) cannot become text and are left
 * out of an item's subtitle tracks.
 */
export const TEXT_SUBTITLE_CODECS = [
  'subrip',
  'srt',
  'ass',
  'ssa',
  'webvtt',
  'mov_text',
  'text',
  'microdvd',
  'mpl2',
  'pjs',
  'realtext',
  'sami',
  'stl',
  'subviewer',
  'subviewer1',
  'jacosub',
  'vplayer',
] as const;

export function isTextSubtitleCodec(codec: string | null | undefined): boolean {
  return typeof codec === 'string' && (TEXT_SUBTITLE_CODECS as readonly string[]).includes(codec.toLowerCase());
}
