import { constants } from 'node:fs';
import { open, readdir, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isInside } from '@marquee/library/libraries/folder-policy.js';
import { mediaCategory } from '@marquee/media';
import { externalTrackId } from './track-id.js';
import { parseSidecarName, type SidecarName } from './sidecar-name.js';

export interface SidecarSubtitle extends SidecarName {
  /** `ext-<n>`: n counts the sidecars of the media file in file-name order, from 1. */
  id: string;
  fileName: string;
  /** Real path, inside one of the library's folders. */
  path: string;
}

/** Sidecar subtitles larger than this are not served. */
export const MAX_SIDECAR_BYTES = 10 * 1024 * 1024;
/** A folder with more entries than this is not searched for sidecars. */
const MAX_FOLDER_ENTRIES = 20_000;

/**
 * The subtitle files next to a media file (see parseSidecarName), with stable ids for a given set of
 * files. Only regular files whose real path stays inside one of `libraryFolders` (real paths) count:
 * a symlink that leads out of the library is ignored. When two videos share a prefix
 * (`Film.mkv`, `Film.Extended.mkv`), `Film.Extended.en.srt` belongs to the longer name only.
 */
export async function findSidecarSubtitles(mediaPath: string, libraryFolders: readonly string[]): Promise<SidecarSubtitle[]> {
  const inLibrary = (path: string) => libraryFolders.some((folder) => isInside(folder, path));
  const folder = await realpath(dirname(mediaPath)).catch(() => undefined);
  if (!folder || !inLibrary(folder)) return [];
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  if (entries.length > MAX_FOLDER_ENTRIES) return [];
  const mediaName = basename(mediaPath);
  const videos = entries.filter((entry) => entry.name !== mediaName && mediaCategory(entry.name) === 'video').map((entry) => entry.name);
  const ownStem = stemLength(mediaName);
  const names = entries
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => ({ fileName: entry.name, parsed: parseSidecarName(mediaName, entry.name) }))
    .filter((candidate): candidate is { fileName: string; parsed: SidecarName } => candidate.parsed !== undefined)
    .filter(({ fileName }) => !videos.some((video) => stemLength(video) > ownStem && parseSidecarName(video, fileName)))
    .sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
  const found: SidecarSubtitle[] = [];
  for (const { fileName, parsed } of names) {
    const path = await realpath(join(folder, fileName)).catch(() => undefined);
    if (!path || !inLibrary(path)) continue;
    found.push({ ...parsed, id: externalTrackId(found.length + 1), fileName, path });
  }
  return found;
}

export type SidecarContent = { data: Buffer; size: number; mtimeMs: number } | 'too-large' | 'unreadable';

/** The bytes of a sidecar, refusing anything that is not a regular file (or became a symlink) or is too large. */
export async function readSidecar(sidecar: SidecarSubtitle): Promise<SidecarContent> {
  let handle;
  try {
    handle = await open(sidecar.path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return 'unreadable';
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return 'unreadable';
    if (info.size > MAX_SIDECAR_BYTES) return 'too-large';
    const data = await handle.readFile();
    return data.length > MAX_SIDECAR_BYTES ? 'too-large' : { data, size: info.size, mtimeMs: info.mtimeMs };
  } finally {
    await handle.close();
  }
}

function stemLength(fileName: string): number {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? dot : fileName.length;
}
