import { assToVtt, parseAss } from './ass-to-vtt.js';
import type { SidecarFormat } from './sidecar-name.js';
import { parseSrt, srtToVtt } from './srt-to-vtt.js';
import { type Cue, decodeSubtitleText } from './webvtt.js';

/**
 * A sidecar file's bytes as WebVTT. A .vtt is kept as written (BOM and CR line endings removed);
 * one without the `WEBVTT` signature — usually an SRT renamed — is read as SRT.
 */
export function sidecarToVtt(format: SidecarFormat, bytes: Uint8Array): string {
  const text = decodeSubtitleText(bytes);
  switch (format) {
    case 'srt':
      return srtToVtt(text);
    case 'ass':
    case 'ssa':
      return assToVtt(text);
    case 'vtt':
      if (/^WEBVTT(?:[ \t][^\n]*)?(?:\n|$)/.test(text)) return text.endsWith('\n') ? text : `${text}\n`;
      return srtToVtt(text);
  }
}

/**
 * The timed cues of a sidecar file, for joining the sidecars of a film's parts. WebVTT's cue timings
 * are a subset of what the SubRip reader takes; its header, NOTE and STYLE blocks have no timing and
 * are left out, as are cue settings.
 */
export function sidecarCues(format: SidecarFormat, bytes: Uint8Array): Cue[] {
  const text = decodeSubtitleText(bytes);
  return format === 'ass' || format === 'ssa' ? parseAss(text) : parseSrt(text);
}
