import { type Cue, normalizeNewlines, sanitizeCueText, serializeVtt } from './webvtt.js';

/** ASS v4+ events when the file has no Format line. */
const DEFAULT_FORMAT = ['layer', 'start', 'end', 'style', 'name', 'marginl', 'marginr', 'marginv', 'effect', 'text'];
/** `h:mm:ss.cc` (centiseconds; more or fewer fraction digits are read as a decimal fraction). */
const ASS_TIME = /^\s*(\d{1,3}):(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?\s*$/;

function assTimeToMs(value: string | undefined): number | undefined {
  const match = ASS_TIME.exec(value ?? '');
  if (!match) return undefined;
  const minutes = Number(match[2]);
  const seconds = Number(match[3]);
  if (minutes > 59 || seconds > 59) return undefined;
  const fraction = match[4] ? Math.round(Number(`0.${match[4]}`) * 1000) : 0;
  return Number(match[1]) * 3_600_000 + minutes * 60_000 + seconds * 1000 + fraction;
}

/**
 * The visible text of an ASS dialogue: override blocks `{\b1\pos(…)}` removed, drawings (`{\p1}`
 * … `{\p0}`) dropped, `\N` and `\n` made line breaks, `\h` a no-break space.
 */
export function assTextToPlain(text: string): string {
  let out = '';
  let drawing = false;
  let at = 0;
  while (at < text.length) {
    if (text[at] === '{') {
      const close = text.indexOf('}', at);
      if (close !== -1) {
        const block = text.slice(at + 1, close);
        const scale = /\\p(\d+)/.exec(block);
        if (scale) drawing = Number(scale[1]) > 0;
        at = close + 1;
        continue;
      }
    }
    if (!drawing) out += text[at];
    at++;
  }
  return out
    .replace(/\\[Nn]/g, '\n')
    .replace(/\\h/g, '\u00a0')
    .split('\n')
    .map((line) => line.trim())
    .join('\n');
}

/**
 * The cues of an ASS/SSA script (text already decoded): the `Dialogue:` lines of `[Events]`, read
 * with the section's `Format:` line. Styling is stripped (WebVTT players would not honour it);
 * comments, malformed times and lines with no visible text are skipped.
 */
export function parseAss(text: string): Cue[] {
  const cues: Cue[] = [];
  let section = '';
  let format = DEFAULT_FORMAT;
  for (const raw of normalizeNewlines(text.replace(/^\uFEFF/, '')).split('\n')) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1].trim().toLowerCase();
      continue;
    }
    if (section !== 'events') continue;
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trimStart();
    if (key === 'format') {
      format = value.split(',').map((field) => field.trim().toLowerCase());
      continue;
    }
    if (key !== 'dialogue') continue;
    const fields = splitFields(value, format.length);
    if (!fields) continue;
    const field = (name: string) => fields[format.indexOf(name)];
    const startMs = assTimeToMs(field('start'));
    const endMs = assTimeToMs(field('end'));
    const textIndex = format.indexOf('text');
    if (startMs === undefined || endMs === undefined || endMs <= startMs || textIndex === -1) continue;
    const plain = sanitizeCueText(assTextToPlain(fields[textIndex]));
    if (plain.trim() === '') continue;
    cues.push({ startMs, endMs, text: plain });
  }
  return cues;
}

/** The comma-separated fields of an event; the last one (the text) keeps its commas. */
function splitFields(value: string, count: number): string[] | undefined {
  const fields: string[] = [];
  let rest = value;
  for (let i = 0; i < count - 1; i++) {
    const comma = rest.indexOf(',');
    if (comma === -1) return undefined;
    fields.push(rest.slice(0, comma).trim());
    rest = rest.slice(comma + 1);
  }
  fields.push(rest);
  return fields;
}

/** ASS/SSA → WebVTT. */
export function assToVtt(text: string): string {
  return serializeVtt(parseAss(text));
}
