/** One timed cue of a subtitle track. */
export interface Cue {
  startMs: number;
  endMs: number;
  /** Lines separated by "\n"; WebVTT cue text (only <i>, <b>, <u> tags survive sanitizing). */
  text: string;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** 3_723_004 → "01:02:03.004": WebVTT's timestamp, always with hours. */
export function formatVttTimestamp(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  return `${pad(Math.floor(whole / 3_600_000))}:${pad(Math.floor(whole / 60_000) % 60)}:${pad(Math.floor(whole / 1000) % 60)}.${pad(whole % 1000, 3)}`;
}

/** A WebVTT file of the cues: starts ordered (stable), empty cues and cues that end before they start dropped. */
export function serializeVtt(cues: readonly Cue[]): string {
  const kept = cues
    .map((cue) => ({
      ...cue,
      text: cue.text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .join('\n'),
    }))
    .filter(
      (cue) => cue.text !== '' && Number.isFinite(cue.startMs) && Number.isFinite(cue.endMs) && cue.endMs > cue.startMs && cue.startMs >= 0,
    )
    .map((cue, order) => ({ cue, order }))
    .sort((a, b) => a.cue.startMs - b.cue.startMs || a.order - b.order)
    .map(({ cue }) => `${formatVttTimestamp(cue.startMs)} --> ${formatVttTimestamp(cue.endMs)}\n${cue.text}`);
  return `WEBVTT\n\n${kept.map((cue) => `${cue}\n\n`).join('')}`;
}

const KEPT_TAGS = new Set(['i', 'b', 'u']);
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)(?:[\s/][^<>]*)?>/g;
const ENTITY = /^&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#\d{1,7}|#x[0-9a-fA-F]{1,6});/;

/**
 * Subtitle text made safe as WebVTT cue text: <i>, <b> and <u> are kept (attributes dropped), every
 * other tag (<font color=…>) and ASS-style `{\an8}` overrides are removed, stray `<`, `>` and `&`
 * are escaped, and "-->" (which would end a cue's text) cannot appear.
 */
export function sanitizeCueText(text: string): string {
  const withoutOverrides = text.replace(/\{\\[^{}]*\}/g, '');
  let out = '';
  let last = 0;
  for (const match of withoutOverrides.matchAll(TAG)) {
    out += escapeText(withoutOverrides.slice(last, match.index));
    const name = match[2].toLowerCase();
    if (KEPT_TAGS.has(name)) out += `<${match[1]}${name}>`;
    last = match.index + match[0].length;
  }
  out += escapeText(withoutOverrides.slice(last));
  return out
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n');
}

function escapeText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '<') out += '&lt;';
    else if (char === '>') out += '&gt;';
    else if (char === '&') out += ENTITY.test(text.slice(i, i + 40)) ? '&' : '&amp;';
    else out += char;
  }
  return out;
}

/**
 * The text of a subtitle file: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252 —
 * what most old .srt files are. Line endings become "\n".
 */
export function decodeSubtitleText(bytes: Uint8Array): string {
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
  else {
    const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      text = decodeWindows1252(body);
    }
  }
  return normalizeNewlines(text.replace(/^\uFEFF/, ''));
}

// Windows-1252 differs from Latin-1 in 0x80–0x9F (Node's TextDecoder decodes it as Latin-1).
const CP1252_HIGH =
  '\u20ac\ufffd\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\ufffd\u017d\ufffd' +
  '\ufffd\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\ufffd\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80] : String.fromCharCode(byte);
  return out;
}

export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}
