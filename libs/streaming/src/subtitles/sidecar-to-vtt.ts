import { assToVtt } from './ass-to-vtt.js';
import type { SidecarFormat } from './sidecar-name.js';
import { srtToVtt } from './srt-to-vtt.js';
import { decodeSubtitleText } from './webvtt.js';

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
