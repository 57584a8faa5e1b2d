import { relative } from 'node:path';
import { classifyPath } from '@marquee/media';

/**
 * The files a film is played from when it is played whole. Several files of one film item are
 * either its parts (`cd1`/`cd2`, `part 2`, `CD1/` folders), which play one after the other, or
 * versions of it (`- 1080p`, `- 2160p`, a director's cut), of which one plays. Only when every
 * file names a distinct part number are they parts, in that order; otherwise the first file alone.
 */
export function filmParts<T extends { path: string }>(files: readonly T[], folders: readonly string[]): T[] {
  if (files.length < 2) return [...files];
  const numbered = files.map((file) => ({ file, part: partNumber(file.path, folders) }));
  const parts = new Set(numbered.map(({ part }) => part));
  if (numbered.some(({ part }) => part === null) || parts.size !== files.length) return [files[0]];
  return numbered.sort((a, b) => a.part! - b.part!).map(({ file }) => file);
}

/** The part a file's name (or its part folder) gives, as the scanner reads film names. */
function partNumber(path: string, folders: readonly string[]): number | null {
  const folder = folders.find((root) => {
    const rel = relative(root, path);
    return rel !== '' && !rel.startsWith('..');
  });
  if (folder === undefined) return null;
  const classification = classifyPath('movies', relative(folder, path));
  return classification.kind === 'movie' ? classification.movie.part : null;
}
