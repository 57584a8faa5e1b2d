import type { PlaybackCapabilities } from '@marquee/contracts';
import { playbackCapabilities } from '../logic/playback-capabilities.js';

let cached: PlaybackCapabilities | null = null;

/** What this browser plays without transcoding: a media element's canPlayType, or MediaSource for hls.js. */
export function browserCapabilities(): PlaybackCapabilities {
  if (cached) return cached;
  const probe = document.createElement('video');
  cached = playbackCapabilities((mime) => probe.canPlayType(mime) === 'probably' || probe.canPlayType(mime) === 'maybe');
  return cached;
}
