import { normalizeLanguage } from './subtitle-language.js';

/** Sidecar subtitle formats served (converted to WebVTT), by file extension, with their ffmpeg codec names. */
export const SIDECAR_FORMATS = { srt: 'subrip', ass: 'ass', ssa: 'ssa', vtt: 'webvtt' } as const;
export type SidecarFormat = keyof typeof SIDECAR_FORMATS;

export interface SidecarName {
  format: SidecarFormat;
  language: string | null;
  forced: boolean;
  default: boolean;
  hearingImpaired: boolean;
  /** Words of the name that are neither a language nor a flag ("Commentary"). */
  title: string | null;
}

const FORCED = new Set(['forced', 'foreign']);
const DEFAULT = new Set(['default']);
const HEARING_IMPAIRED = new Set(['sdh', 'cc', 'hi']);

/**
 * Whether `candidate` is a subtitle sidecar of the media file `mediaName` (Jellyfin's naming): the
 * media file's name without its extension, then optional dot-separated flags, then .srt, .ass, .ssa
 * or .vtt — `Film.srt`, `Film.en.srt`, `Film.eng.forced.ass`, `Film.default.vtt`, `Film.pt-BR.sdh.srt`.
 * Flags are matched before languages, so `.hi.` means hearing impaired, as in Jellyfin. Case is ignored.
 */
export function parseSidecarName(mediaName: string, candidate: string): SidecarName | undefined {
  const dot = mediaName.lastIndexOf('.');
  const stem = dot > 0 ? mediaName.slice(0, dot) : mediaName;
  const extDot = candidate.lastIndexOf('.');
  if (extDot <= 0) return undefined;
  const ext = candidate.slice(extDot + 1).toLowerCase();
  if (!Object.hasOwn(SIDECAR_FORMATS, ext)) return undefined;
  const base = candidate.slice(0, extDot);
  if (base.slice(0, stem.length).toLowerCase() !== stem.toLowerCase()) return undefined;
  const rest = base.slice(stem.length);
  if (rest !== '' && !rest.startsWith('.')) return undefined;
  const parsed: SidecarName = {
    format: ext as SidecarFormat,
    language: null,
    forced: false,
    default: false,
    hearingImpaired: false,
    title: null,
  };
  const titleWords: string[] = [];
  for (const token of rest.split('.')) {
    const word = token.trim();
    const lower = word.toLowerCase();
    if (!word) continue;
    if (FORCED.has(lower)) parsed.forced = true;
    else if (DEFAULT.has(lower)) parsed.default = true;
    else if (HEARING_IMPAIRED.has(lower)) parsed.hearingImpaired = true;
    else if (!parsed.language && normalizeLanguage(word)) parsed.language = normalizeLanguage(word);
    else titleWords.push(word);
  }
  parsed.title = titleWords.length ? titleWords.join(' ') : null;
  return parsed;
}
