import type { MediaItemType } from '@marquee/contracts';

/** A video whose position passes this share of its length is played (Jellyfin's MaxResumePct). */
export const PLAYED_RATIO = 0.9;
/** Scrobblers count a track once half of it played… */
export const TRACK_PLAYED_RATIO = 0.5;
/** …or four minutes of it, whichever comes first. */
export const TRACK_PLAYED_MS = 4 * 60_000;
/** Tracks this short never count (Last.fm's rule). */
export const TRACK_MIN_DURATION_MS = 30_000;
/** A second report of the same play this close in time to a recorded one is the same play (retries, a final progress report). */
export const SAME_PLAY_WINDOW_MS = 30_000;

/** Items that play by themselves: they have a resume position and can be scrobbled, queued and put in playlists. */
export const PLAYABLE_TYPES = ['movie', 'episode', 'extra', 'track'] as const satisfies readonly MediaItemType[];
/** Items that stand for their children: queueing one queues what it holds; marking one played marks its children. */
export const CONTAINER_TYPES = ['series', 'season', 'artist', 'album'] as const satisfies readonly MediaItemType[];
/** Marking these played also marks everything under them (galleries: their images). */
export const CASCADE_TYPES = [...CONTAINER_TYPES, 'gallery'] as const satisfies readonly MediaItemType[];

export const isPlayable = (type: MediaItemType): boolean => (PLAYABLE_TYPES as readonly string[]).includes(type);
export const isContainer = (type: MediaItemType): boolean => (CONTAINER_TYPES as readonly string[]).includes(type);

export interface PlayVerdict {
  counted: boolean;
  /** Why it did not count. */
  reason?: string;
}

/**
 * Whether `playedMs` of listening or watching makes a play: for tracks half their length or four
 * minutes, whichever comes first, and never for tracks under 30 seconds (a track of unknown length
 * needs the four minutes); for videos 90 % of their length (of unknown length: any time at all).
 */
export function judgePlay(type: MediaItemType, durationMs: number | null, playedMs: number): PlayVerdict {
  const known = durationMs !== null && durationMs > 0;
  if (type === 'track') {
    if (known && durationMs < TRACK_MIN_DURATION_MS) return { counted: false, reason: 'tracks shorter than 30 seconds are not scrobbled' };
    const needed = known ? Math.min(durationMs * TRACK_PLAYED_RATIO, TRACK_PLAYED_MS) : TRACK_PLAYED_MS;
    return playedMs >= needed
      ? { counted: true }
      : { counted: false, reason: `a track counts after half its length or 4 minutes (${Math.ceil(needed / 1000)} s here)` };
  }
  if (!known) return playedMs > 0 ? { counted: true } : { counted: false, reason: 'nothing was played' };
  const needed = durationMs * PLAYED_RATIO;
  return playedMs >= needed
    ? { counted: true }
    : { counted: false, reason: `a video counts once 90 % of it played (${Math.ceil(needed / 1000)} s here)` };
}

export interface ProgressOutcome {
  /** The resume position to keep (0 once played). */
  positionMs: number;
  /** The report finishes the item: it becomes played. */
  completes: boolean;
}

/**
 * A progress report: a position at or past 90 % of a known length finishes the item (its resume point
 * goes, Jellyfin's rule); any other position is kept as the resume point. Positions past the end
 * count as the end.
 */
export function applyProgress(durationMs: number | null, positionMs: number): ProgressOutcome {
  if (durationMs !== null && durationMs > 0 && positionMs >= durationMs * PLAYED_RATIO) return { positionMs: 0, completes: true };
  return { positionMs, completes: false };
}

/** In the "continue watching" list: started, and not yet at the point where it counts as played. */
export function isResumable(durationMs: number | null, positionMs: number): boolean {
  if (positionMs <= 0) return false;
  return durationMs === null || durationMs <= 0 || positionMs < durationMs * PLAYED_RATIO;
}
