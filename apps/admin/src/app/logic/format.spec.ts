import { audioFormatBadge, episodeCode, formatBytes, formatDuration, formatRelative, formatSampleRate, progressPercent } from './format.js';

describe('client formatting', () => {
  it('formats durations as a clock', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(5_999)).toBe('0:05');
    expect(formatDuration(123_000)).toBe('2:03');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(-1)).toBe('–');
    expect(formatDuration(Number.NaN)).toBe('–');
  });

  it('formats sizes in powers of 1024', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(15 * 1024 * 1024)).toBe('15 MB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GB');
    expect(formatBytes(undefined)).toBe('–');
  });

  it('makes the format badge of the music player', () => {
    expect(audioFormatBadge({ bitDepth: 24, sampleRate: 96_000 })).toBe('24-bit · 96 kHz');
    expect(audioFormatBadge({ bitDepth: 16, sampleRate: 44_100 })).toBe('16-bit · 44.1 kHz');
    expect(audioFormatBadge({ codec: 'flac', bitDepth: 24, sampleRate: 192_000 })).toBe('FLAC · 24-bit · 192 kHz');
    expect(audioFormatBadge({ codec: 'mp3', sampleRate: 48_000 })).toBe('MP3 · 48 kHz');
    expect(audioFormatBadge({ codec: 'mp3' })).toBeNull();
    expect(audioFormatBadge({})).toBeNull();
    expect(formatSampleRate(22_050)).toBe('22.1 kHz');
  });

  it('names episodes', () => {
    expect(episodeCode(1, 2)).toBe('S01E02');
    expect(episodeCode(1, 2, 3)).toBe('S01E02–E03');
    expect(episodeCode(10, 100, 100)).toBe('S10E100');
    expect(episodeCode(null, 2)).toBeNull();
  });

  it('says how long ago', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(formatRelative('2026-01-10T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelative('2026-01-08T12:00:00Z', now)).toBe('2 days ago');
    expect(formatRelative('2026-01-10T12:00:00Z', now)).toBe('now');
    expect(formatRelative(null, now)).toBe('–');
    expect(formatRelative('not a date', now)).toBe('–');
  });

  it('clamps progress', () => {
    expect(progressPercent(30_000, 60_000)).toBe(50);
    expect(progressPercent(90_000, 60_000)).toBe(100);
    expect(progressPercent(5, null)).toBe(0);
  });
});
