import { stripKnownExtension } from './media-category.js';
import { seasonFromFolderName } from './parse-episode-path.js';

export type ExtraType =
  'trailer' | 'featurette' | 'behind-the-scenes' | 'deleted-scene' | 'interview' | 'scene' | 'short' | 'sample' | 'extra';

export interface ExtraInfo {
  type: ExtraType;
  /** Relative dir of the film/series the extra belongs to. */
  ownerDir: string;
}

export interface DetectExtraOptions {
  /** Only extras folders count, not name suffixes (series episodes may be titled "… - Scene"). */
  foldersOnly?: boolean;
}

// "Specials" is not here: in a series it is season 0.
const EXTRA_FOLDERS: ReadonlyMap<string, ExtraType> = new Map(
  Object.entries<ExtraType>({
    trailers: 'trailer',
    trailer: 'trailer',
    extras: 'extra',
    extra: 'extra',
    'behind the scenes': 'behind-the-scenes',
    behindthescenes: 'behind-the-scenes',
    'deleted scenes': 'deleted-scene',
    deletedscenes: 'deleted-scene',
    featurettes: 'featurette',
    featurette: 'featurette',
    interviews: 'interview',
    scenes: 'scene',
    shorts: 'short',
    samples: 'sample',
    sample: 'sample',
    other: 'extra',
    others: 'extra',
  }),
);

const EXTRA_SUFFIXES: ReadonlyMap<string, ExtraType> = new Map(
  Object.entries<ExtraType>({
    trailer: 'trailer',
    teaser: 'trailer',
    sample: 'sample',
    featurette: 'featurette',
    behindthescenes: 'behind-the-scenes',
    deleted: 'deleted-scene',
    deletedscene: 'deleted-scene',
    interview: 'interview',
    scene: 'scene',
    short: 'short',
    extra: 'extra',
  }),
);

// "Alien (1979)-trailer", "Alien (1979) - trailer", "Alien.1979.sample", "…-trailer2".
const SUFFIX = new RegExp(String.raw`(?:^|\s*[-._]\s*)(${[...EXTRA_SUFFIXES.keys()].join('|')})(?:[\s._-]?\d{1,2})?$`, 'i');

/** The film or series folder above `dirs`: season folders belong to their series. */
function ownerOf(dirs: string[]): string {
  const owner = [...dirs];
  if (owner.length && seasonFromFolderName(owner.at(-1)!) !== null) owner.pop();
  return owner.join('/');
}

export function detectExtra(relativePath: string, options: DetectExtraOptions = {}): ExtraInfo | null {
  const dirs = relativePath.split('/').filter((segment) => segment !== '');
  const fileName = dirs.pop();
  if (!fileName) return null;

  // The outermost extras folder names the owner, the innermost the type ("Extras/Interviews/…").
  const extraFolderIndexes = dirs.flatMap((dir, i) => (EXTRA_FOLDERS.has(normalizeFolder(dir)) ? [i] : []));
  if (extraFolderIndexes.length) {
    const type = EXTRA_FOLDERS.get(normalizeFolder(dirs[extraFolderIndexes.at(-1)!]))!;
    return { type, ownerDir: ownerOf(dirs.slice(0, extraFolderIndexes[0])) };
  }
  if (options.foldersOnly) return null;

  const suffix = SUFFIX.exec(stripKnownExtension(fileName).trim());
  return suffix ? { type: EXTRA_SUFFIXES.get(suffix[1].toLowerCase())!, ownerDir: ownerOf(dirs) } : null;
}

function normalizeFolder(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[._-]+/g, ' ')
    .replace(/\s+/g, ' ');
}
