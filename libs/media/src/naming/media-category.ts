export type MediaCategory = 'video' | 'audio' | 'image' | 'archive' | 'nfo' | 'artwork' | 'subtitle' | 'other';
export type ArtworkKind = 'poster' | 'backdrop' | 'banner' | 'logo' | 'thumb' | 'cover';

const EXTENSIONS: Record<Exclude<MediaCategory, 'artwork' | 'other'>, readonly string[]> = {
  video: ['mkv', 'mp4', 'm4v', 'avi', 'mov', 'wmv', 'webm', 'ts', 'm2ts', 'mpg', 'mpeg', 'flv', 'ogv', '3gp'],
  audio: ['flac', 'mp3', 'm4a', 'aac', 'ogg', 'opus', 'wav', 'aiff', 'aif', 'alac', 'wma', 'ape', 'wv', 'dsf'],
  image: ['jpg', 'jpeg', 'png', 'webp', 'gif', 'bmp', 'tiff', 'avif', 'heic'],
  archive: ['zip', 'cbz'],
  nfo: ['nfo'],
  subtitle: ['srt', 'ass', 'ssa', 'vtt', 'sub', 'idx', 'sup'],
};

const CATEGORY_BY_EXTENSION = new Map<string, MediaCategory>(
  Object.entries(EXTENSIONS).flatMap(([category, extensions]) => extensions.map((ext) => [ext, category as MediaCategory] as const)),
);

/** The lower-case extension without its dot ('' when there is none); a leading dot alone is not an extension. */
export function fileExtension(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
}

/** The file name without its extension when the extension is one we know; other dots are part of the name. */
export function stripKnownExtension(fileName: string): string {
  const ext = fileExtension(fileName);
  return CATEGORY_BY_EXTENSION.has(ext) ? fileName.slice(0, fileName.length - ext.length - 1) : fileName;
}

export interface MediaCategoryOptions {
  /** Report images with an artwork name (poster.jpg, fanart.png, …) as 'artwork' instead of 'image'. */
  detectArtwork?: boolean;
}

export function mediaCategory(fileName: string, options: MediaCategoryOptions = {}): MediaCategory {
  const category = CATEGORY_BY_EXTENSION.get(fileExtension(fileName)) ?? 'other';
  if (category === 'image' && options.detectArtwork && isArtworkFileName(fileName)) return 'artwork';
  return category;
}

// Kodi/Jellyfin/Plex artwork names: bare ("poster"), per file ("<video name>-poster"), per season
// ("season01-poster", "season-specials-poster"), numbered ("fanart2", "backdrop-1").
const ARTWORK_KINDS: ReadonlyArray<readonly [RegExp, ArtworkKind | null]> = [
  [/^(?:cover|folder|front|albumart(?:small)?|albumart_\{[0-9a-f-]+\}_(?:large|small))$/, 'cover'],
  [/^poster$|[-.]\s*poster$/, 'poster'],
  [/^(?:fanart|backdrop|background)(?:[-_]?\d+)?$|[-.]\s*(?:fanart|backdrop|background)(?:[-_]?\d+)?$/, 'backdrop'],
  [/^banner$|[-.]\s*banner$/, 'banner'],
  [/^(?:clear)?logo$|[-.]\s*(?:clear)?logo$/, 'logo'],
  [/^(?:thumb|landscape)$|[-.]\s*(?:thumb|landscape)$/, 'thumb'],
  [/^(?:clearart|disc|discart|cdart|characterart|keyart)$|[-.]\s*(?:clearart|disc|discart|cdart|characterart|keyart)$/, null],
];

function artworkMatch(fileName: string): { kind: ArtworkKind | null } | null {
  if (CATEGORY_BY_EXTENSION.get(fileExtension(fileName)) !== 'image') return null;
  const base = stripKnownExtension(fileName).toLowerCase().trim();
  for (const [pattern, kind] of ARTWORK_KINDS) if (pattern.test(base)) return { kind };
  return null;
}

/** True for images named as artwork by media managers, including kinds without an ArtworkKind (clearart, disc). */
export function isArtworkFileName(fileName: string): boolean {
  return artworkMatch(fileName) !== null;
}

/** cover/folder/front → 'cover' (music), poster → 'poster', fanart/backdrop/background → 'backdrop', thumb/landscape → 'thumb'. */
export function artworkKind(fileName: string): ArtworkKind | null {
  return artworkMatch(fileName)?.kind ?? null;
}
