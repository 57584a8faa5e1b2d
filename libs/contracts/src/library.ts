import type { LibraryKind, MediaItemType, MediaStreamType } from './enums.js';
import type { PageOf } from './users-data.js';

export const ARTWORK_KIND_NAMES = ['poster', 'backdrop', 'thumb', 'cover', 'banner', 'logo'] as const;
export type ArtworkKindName = (typeof ARTWORK_KIND_NAMES)[number];

export const ITEM_SORTS = ['title', '-title', 'year', '-year', 'added', '-added', 'rating', '-rating', 'index', '-index'] as const;
export type ItemSort = (typeof ITEM_SORTS)[number];

/** Fields of an item that an admin may edit (and that an edit locks against rescans and scrapers). */
export const EDITABLE_ITEM_FIELDS = [
  'title',
  'sortTitle',
  'originalTitle',
  'year',
  'premiereDate',
  'overview',
  'tagline',
  'genres',
  'tags',
  'studios',
  'people',
  'communityRating',
  'criticRating',
  'officialRating',
  'providerIds',
] as const;
export type EditableItemField = (typeof EDITABLE_ITEM_FIELDS)[number];

export interface LibraryView {
  id: string;
  name: string;
  kind: LibraryKind;
  folders: string[];
  scanIntervalMinutes: number | null;
  lastScannedAt: string | null;
  itemCount: number;
  createdAt: string;
}

export interface CreateLibraryRequest {
  name: string;
  kind: LibraryKind;
  folders: string[];
  scanIntervalMinutes?: number | null;
}

export type UpdateLibraryRequest = Partial<CreateLibraryRequest>;

export interface ScanLibraryResponse {
  jobId: string;
  deduplicated: boolean;
}

/** A picture beside an item's media that an admin may choose as its artwork. */
export interface ArtworkCandidateView {
  id: string;
  /** Path relative to the library folder, e.g. `Alien (1979)/poster-alt.jpg`. */
  name: string;
  /** The kind its name suggests (`poster.jpg` → poster), if any. */
  suggestedKind: ArtworkKindName | null;
  size: number;
}

export interface UploadResponse {
  path: string;
  size: number;
  scanJobId: string;
}

export interface PersonView {
  name: string;
  role: 'actor' | 'director' | 'writer' | 'producer' | 'composer';
  character?: string;
}

export type PersonRole = PersonView['role'];

/** Orders of GET genres, studios and people: by name (A→Z), or by how many items carry the name, most first. */
export const NAME_SORTS = ['name', '-count'] as const;
export type NameSort = (typeof NAME_SORTS)[number];

/** A genre or studio, with the number of items carrying it (`GET items?genre=` / `?studio=` lists them). */
export interface NameCount {
  name: string;
  count: number;
}

/** A person, with the number of items they appear in (`GET items?person=` lists them) and their roles there. */
export interface PersonCount extends NameCount {
  roles: PersonRole[];
}

/** `GET genres` and `GET studios`. */
export type NameCountList = PageOf<NameCount>;
/** `GET people`. */
export type PersonCountList = PageOf<PersonCount>;

/** Signed, cacheable URLs of an item's pictures, by kind. */
export type ArtworkUrls = Partial<Record<ArtworkKindName, string>>;

export interface ItemSummary {
  id: string;
  libraryId: string;
  parentId: string | null;
  type: MediaItemType;
  title: string;
  sortTitle: string | null;
  year: number | null;
  indexNumber: number | null;
  indexNumberEnd: number | null;
  parentIndexNumber: number | null;
  durationMs: number | null;
  genres: string[];
  artists: string[];
  communityRating: number | null;
  addedAt: string;
  missing: boolean;
  childCount: number;
  artwork: ArtworkUrls;
}

export interface StreamView {
  index: number;
  type: MediaStreamType;
  codec: string | null;
  profile: string | null;
  language: string | null;
  title: string | null;
  width: number | null;
  height: number | null;
  frameRate: number | null;
  bitrate: number | null;
  bitDepth: number | null;
  sampleRate: number | null;
  channels: number | null;
  channelLayout: string | null;
  hdr: string | null;
  /** Video: clockwise display rotation (0, 90, 180, 270); width and height are the coded picture's. */
  rotation: number | null;
  /** Video: coded as interlaced fields (deinterlaced when transcoded). */
  interlaced: boolean;
  isDefault: boolean;
  isForced: boolean;
}

export interface FileView {
  id: string;
  /** Relative to its library folder. */
  relativePath: string;
  archiveEntry: string | null;
  size: number;
  container: string | null;
  durationMs: number | null;
  bitrate: number | null;
  width: number | null;
  height: number | null;
  md5: string | null;
  oshash: string | null;
  phash: string | null;
  probedAt: string | null;
  missing: boolean;
  streams: StreamView[];
}

export interface UserItemDataView {
  played: boolean;
  playCount: number;
  positionMs: number;
  favorite: boolean;
  rating: number | null;
  lastPlayedAt: string | null;
}

export interface ItemEditView {
  id: string;
  at: string;
  username: string;
  source: 'admin' | 'scrape';
  changes: Record<string, { before: unknown; after: unknown }>;
}

export interface ItemDetail extends ItemSummary {
  originalTitle: string | null;
  overview: string | null;
  tagline: string | null;
  premiereDate: string | null;
  absoluteNumber: number | null;
  extraType: string | null;
  albumTitle: string | null;
  /** The title of the item above this one (an album's artist, an episode's season), for the way up. */
  parentTitle: string | null;
  tags: string[];
  studios: string[];
  people: PersonView[];
  providerIds: Record<string, string>;
  criticRating: number | null;
  officialRating: string | null;
  lockedFields: string[];
  files: FileView[];
  userData: UserItemDataView | null;
  /** The latest edits, newest first. */
  edits: ItemEditView[];
}

export type UpdateItemRequest = Partial<{
  title: string;
  sortTitle: string | null;
  originalTitle: string | null;
  year: number | null;
  premiereDate: string | null;
  overview: string | null;
  tagline: string | null;
  genres: string[];
  tags: string[];
  studios: string[];
  people: PersonView[];
  communityRating: number | null;
  criticRating: number | null;
  officialRating: string | null;
  providerIds: Record<string, string>;
  /** Fields to unlock, so rescans and scrapers may change them again. */
  unlock: string[];
  /**
   * Artwork by kind: `{ "candidate": id }` chooses a picture from GET items/:id/artwork-candidates (and
   * locks the kind), `null` removes the current one (and unlocks it). An upload is a picture, not
   * JSON: PUT items/:id/artwork/:kind.
   */
  artwork: Partial<Record<ArtworkKindName, { candidate: string } | null>>;
}>;

/** Payload of the `scan` job on `library-scan`. */
export interface LibraryScanPayload {
  libraryId: string;
  /** Only these absolute paths (files or folders) — an upload, a watched change; whole library when absent. */
  paths?: string[];
}

/** Payload of the per-file jobs (`media-probe`, `fingerprint`, `thumbnail`, `audio-tags`). */
export interface MediaFileJobPayload {
  fileId: string;
  /** media-probe only: record the streams and stop (a library probed again), without the jobs a probe queues after it. */
  streamsOnly?: boolean;
}

/** The library-maintenance job that probes every present video and audio file of a library again. */
export const REPROBE_LIBRARY_TASK = 'reprobe-library';

/** Payload of `reprobe-library`. */
export interface ReprobeLibraryPayload {
  libraryId: string;
}
