import type { ItemSummary, UserItemDataView } from './library.js';

/** Item ids one request may name (containers count once, however many items they hold). */
export const MAX_ITEM_IDS_PER_REQUEST = 1000;
export const MAX_PLAYLIST_ENTRIES = 20_000;
export const MAX_QUEUE_ENTRIES = 10_000;
export const MAX_PLAYLIST_NAME = 200;
export const MAX_PLAYLIST_DESCRIPTION = 2000;
/** Pages of playlist and queue entries: default and largest `limit`. */
export const ENTRIES_PAGE_DEFAULT = 200;
export const ENTRIES_PAGE_MAX = 1000;

/** Item types "continue watching" can list; `GET me/resume` lists the video ones unless asked. */
export const RESUMABLE_TYPES = ['movie', 'episode', 'extra', 'track'] as const;
export type ResumableType = (typeof RESUMABLE_TYPES)[number];

export interface PageOf<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** PUT items/:id/user-data. Absent fields stay as they are. */
export interface UpdateUserDataRequest {
  /** true: played (its resume point goes; a series, season, artist, album or gallery marks everything under it); false: unplayed. */
  played?: boolean;
  /** A progress report; at or past 90 % of the item's length it becomes played (and counts as a play). */
  positionMs?: number;
  favorite?: boolean;
  /** 0–10; null clears. */
  rating?: number | null;
}

/** POST/DELETE items/:id/played. */
export interface MarkPlayedResponse {
  userData: UserItemDataView;
  /** The item and everything under it that changed with it. */
  affectedItems: number;
}

/** An item with the caller's state of it. */
export interface UserItemEntry {
  item: ItemSummary;
  userData: UserItemDataView;
}

/** A row of "continue watching": a started item, or the next episode of a series in progress. */
export interface ResumeEntry extends UserItemEntry {
  reason: 'resume' | 'next-up';
  /** When it (resume) or the series (next up) was last played. */
  lastPlayedAt: string | null;
}

/** POST me/history. */
export interface ScrobbleRequest {
  itemId: string;
  /** How long it was actually played. */
  playedMs: number;
  /** When it was played (offline plays sent later); now when absent. */
  playedAt?: string;
}

export interface HistoryEntryView {
  id: string;
  playedAt: string;
  playedMs: number;
  item: ItemSummary;
}

export interface ScrobbleResponse {
  /** Whether it counted as a play (tracks: half their length or 4 minutes; videos: 90 %). */
  counted: boolean;
  /** Why it did not count. */
  reason?: string;
  /** The same play was already recorded (a retry, or the player's last progress report): nothing was added. */
  duplicate?: boolean;
  entry: HistoryEntryView | null;
  userData: UserItemDataView;
}

export interface PlaylistCover {
  /** A 2×2 collage of the first items' pictures (one picture when there are fewer than four); null without pictures. */
  url: string | null;
  /** The pictures of the first items (distinct, at most four), in playlist order. */
  tiles: string[];
}

export interface PlaylistView {
  id: string;
  name: string;
  description: string | null;
  itemCount: number;
  /** Summed over the entries whose length is known. */
  durationMs: number;
  revision: number;
  cover: PlaylistCover;
  createdAt: string;
  updatedAt: string;
}

export interface PlaylistEntryView {
  /** The entry, not the item: the same item may be in a playlist twice. */
  id: string;
  index: number;
  addedAt: string;
  item: ItemSummary;
}

export interface PlaylistDetail extends PlaylistView {
  entries: PageOf<PlaylistEntryView>;
}

export interface CreatePlaylistRequest {
  name: string;
  description?: string | null;
  itemIds?: string[];
}

export interface UpdatePlaylistRequest {
  name?: string;
  description?: string | null;
}

/** POST playlists/:id/items and POST me/queue/next|last: containers (album, series…) add what they hold, in order. */
export interface AddItemsRequest {
  itemIds: string[];
  /** Playlists only: where the new entries go (0 = the top); the end when absent. */
  index?: number;
}

/** PUT playlists/:id/order and PUT me/queue/order: move one entry, either to an index or after another entry. */
export interface MoveEntryRequest {
  entryId: string;
  /** The entry's index once moved (0 = the top; past the end = the end). */
  index?: number;
  /** Put it right after this entry; null = the top. */
  afterEntryId?: string | null;
}

export interface QueueEntryView {
  id: string;
  index: number;
  item: ItemSummary;
}

export interface PlayQueueView {
  entries: PageOf<QueueEntryView>;
  /** The index of the entry playing now; null when the queue is empty. */
  currentIndex: number | null;
  currentEntryId: string | null;
  positionMs: number;
  revision: number;
  updatedAt: string | null;
  /** POST me/queue/next|last: the entries just added, in order. */
  added?: QueueEntryView[];
}

/** PUT me/queue: replaces the whole queue. */
export interface ReplaceQueueRequest {
  itemIds: string[];
  /** Index (in the expanded list) of the entry to play first; 0 when absent. */
  currentIndex?: number;
  positionMs?: number;
  /** Replace only if the queue is still at this revision (409 otherwise). */
  revision?: number;
}

/** PATCH me/queue: where playback is. */
export interface UpdateQueueRequest {
  currentIndex?: number;
  currentEntryId?: string;
  positionMs?: number;
}

/** POST playlists/:id/items. */
export interface AddPlaylistEntriesResponse {
  playlist: PlaylistView;
  /** The new entries, in order. */
  entries: PlaylistEntryView[];
}

/** PUT playlists/:id/order. */
export interface MovePlaylistEntryResponse {
  playlist: PlaylistView;
  entry: PlaylistEntryView;
  /** False when the entry already was there (nothing was written). */
  moved: boolean;
}
