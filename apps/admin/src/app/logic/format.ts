/** Human-readable values for the client: durations, sizes, audio formats, dates. Pure functions. */

/** `1:02:03`, `2:03`, `0:05` from milliseconds; `–` for unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  const total = Math.floor(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** `1.5 GB` (powers of 1024, one decimal under 10). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '–';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** `96 kHz`, `44.1 kHz`. */
export function formatSampleRate(hz: number): string {
  const khz = hz / 1000;
  return `${Number.isInteger(khz) ? khz : Number(khz.toFixed(1))} kHz`;
}

/**
 * The music player's format badge: `24-bit · 96 kHz`, `FLAC · 16-bit · 44.1 kHz` when the codec is
 * given, `MP3 · 44.1 kHz` for lossy audio (no bit depth); null when nothing is known.
 */
export function audioFormatBadge(audio: { codec?: string | null; bitDepth?: number | null; sampleRate?: number | null }): string | null {
  const parts: string[] = [];
  if (audio.codec) parts.push(audio.codec.toUpperCase());
  if (audio.bitDepth) parts.push(`${audio.bitDepth}-bit`);
  if (audio.sampleRate) parts.push(formatSampleRate(audio.sampleRate));
  return parts.length > (audio.codec ? 1 : 0) ? parts.join(' · ') : null;
}

/** `S01E02`, `S01E02–E03`; null when the numbers are unknown. */
export function episodeCode(season: number | null, episode: number | null, episodeEnd?: number | null): string | null {
  if (season === null || episode === null) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  const end = episodeEnd && episodeEnd !== episode ? `–E${pad(episodeEnd)}` : '';
  return `S${pad(season)}E${pad(episode)}${end}`;
}

const RELATIVE_STEPS: [limitSeconds: number, divisor: number, unit: Intl.RelativeTimeFormatUnit][] = [
  [60, 1, 'second'],
  [3600, 60, 'minute'],
  [86400, 3600, 'hour'],
  [86400 * 30, 86400, 'day'],
  [86400 * 365, 86400 * 30, 'month'],
  [Infinity, 86400 * 365, 'year'],
];

/** `5 minutes ago`, `in 2 days`; `–` for none. */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '–';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '–';
  const seconds = Math.round((at - now) / 1000);
  const abs = Math.abs(seconds);
  const [, divisor, unit] = RELATIVE_STEPS.find(([limit]) => abs < limit)!;
  return new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(Math.round(seconds / divisor), unit);
}

/** A percentage 0–100 of position in length, clamped; 0 when the length is unknown. */
export function progressPercent(positionMs: number, durationMs: number | null | undefined): number {
  if (!durationMs || durationMs <= 0) return 0;
  return Math.min(100, Math.max(0, Math.round((positionMs / durationMs) * 100)));
}
