import { basename, relative } from 'node:path';
import type {
  ArtworkUrls,
  FileView,
  ItemDetail,
  ItemEditView,
  ItemSummary,
  PersonView,
  StreamView,
  UserItemDataView,
} from '@marquee/contracts';
import type { UserItemData } from '@marquee/users-data/entities/user-item-data.entity.js';
import { isInside } from '../artwork/artwork-store.js';
import type { ItemEdit } from '../entities/item-edit.entity.js';
import type { MediaFile } from '../entities/media-file.entity.js';
import type { MediaItem } from '../entities/media-item.entity.js';
import type { MediaStream } from '../entities/media-stream.entity.js';

/** The columns an item summary needs (a list row or a whole entity). */
export type ItemSummaryRow = Pick<
  MediaItem,
  | 'id'
  | 'libraryId'
  | 'parentId'
  | 'type'
  | 'title'
  | 'sortTitle'
  | 'year'
  | 'indexNumber'
  | 'indexNumberEnd'
  | 'parentIndexNumber'
  | 'durationMs'
  | 'genres'
  | 'artists'
  | 'communityRating'
  | 'addedAt'
  | 'missingSince'
>;

const iso = (value: Date | string | null | undefined): string | null => (value ? new Date(value).toISOString() : null);
const num = (value: number | string | null | undefined): number | null => (value === null || value === undefined ? null : Number(value));

export function toItemSummary(item: ItemSummaryRow, childCount: number, artwork: ArtworkUrls): ItemSummary {
  return {
    id: item.id,
    libraryId: item.libraryId,
    parentId: item.parentId,
    type: item.type,
    title: item.title,
    sortTitle: item.sortTitle,
    year: item.year,
    indexNumber: item.indexNumber,
    indexNumberEnd: item.indexNumberEnd,
    parentIndexNumber: item.parentIndexNumber,
    durationMs: num(item.durationMs),
    genres: item.genres ?? [],
    artists: item.artists ?? [],
    communityRating: num(item.communityRating),
    addedAt: iso(item.addedAt)!,
    missing: item.missingSince !== null && item.missingSince !== undefined,
    childCount,
    artwork,
  };
}

export interface ItemDetailParts {
  childCount: number;
  parentTitle: string | null;
  artwork: ArtworkUrls;
  files: FileView[];
  userData: UserItemDataView | null;
  edits: ItemEditView[];
}

export function toItemDetail(item: MediaItem, parts: ItemDetailParts): ItemDetail {
  return {
    ...toItemSummary(item, parts.childCount, parts.artwork),
    originalTitle: item.originalTitle,
    overview: item.overview,
    tagline: item.tagline,
    premiereDate: item.premiereDate,
    absoluteNumber: item.absoluteNumber,
    extraType: item.extraType,
    albumTitle: item.albumTitle,
    parentTitle: parts.parentTitle,
    tags: item.tags ?? [],
    studios: item.studios ?? [],
    people: (item.people ?? []).map(toPersonView),
    providerIds: { ...(item.providerIds ?? {}) },
    criticRating: num(item.criticRating),
    officialRating: item.officialRating,
    lockedFields: [...(item.lockedFields ?? [])],
    files: parts.files,
    userData: parts.userData,
    edits: parts.edits,
  };
}

export function toPersonView(person: PersonView): PersonView {
  return { name: person.name, role: person.role, ...(person.character ? { character: person.character } : {}) };
}

/**
 * A file's path relative to the library folder holding it (the deepest, when folders nest). Absolute
 * paths never leave the server: a file outside every folder (one removed from the library) shows
 * its name only.
 */
export function relativeToLibrary(path: string, folders: readonly string[]): string {
  const folder = folders.filter((candidate) => isInside(candidate, path)).sort((a, b) => b.length - a.length)[0];
  return folder ? relative(folder, path) : basename(path);
}

export function toFileView(file: MediaFile, streams: MediaStream[], libraryFolders: readonly string[]): FileView {
  return {
    id: file.id,
    relativePath: relativeToLibrary(file.path, libraryFolders),
    archiveEntry: file.archiveEntry ? file.archiveEntry : null,
    size: num(file.size) ?? 0,
    container: file.container,
    durationMs: num(file.durationMs),
    bitrate: num(file.bitrate),
    width: file.width,
    height: file.height,
    md5: file.md5,
    oshash: file.oshash,
    phash: file.phash,
    probedAt: iso(file.probedAt),
    missing: file.missingSince !== null,
    streams: [...streams].sort((a, b) => a.streamIndex - b.streamIndex).map(toStreamView),
  };
}

export function toStreamView(stream: MediaStream): StreamView {
  return {
    index: stream.streamIndex,
    type: stream.type,
    codec: stream.codec,
    profile: stream.profile,
    language: stream.language,
    title: stream.title,
    width: stream.width,
    height: stream.height,
    frameRate: num(stream.frameRate),
    bitrate: num(stream.bitrate),
    bitDepth: stream.bitDepth,
    sampleRate: stream.sampleRate,
    channels: stream.channels,
    channelLayout: stream.channelLayout,
    hdr: stream.hdr,
    rotation: stream.rotation,
    interlaced: stream.interlaced,
    isDefault: stream.isDefault,
    isForced: stream.isForced,
  };
}

export function toUserDataView(data: UserItemData | null | undefined): UserItemDataView | null {
  if (!data) return null;
  return {
    played: data.played,
    playCount: data.playCount,
    positionMs: num(data.positionMs) ?? 0,
    favorite: data.favorite,
    rating: num(data.rating),
    lastPlayedAt: iso(data.lastPlayedAt),
  };
}

export function toEditView(edit: ItemEdit): ItemEditView {
  return { id: edit.id, at: iso(edit.at)!, username: edit.username, source: edit.source, changes: edit.changes };
}
