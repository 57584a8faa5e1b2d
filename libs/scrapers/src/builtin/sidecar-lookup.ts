import { readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

/** Case-insensitive look-ups of files beside the media, never above the library folder. */
export class SidecarLookup {
  constructor(private readonly libraryFolder: string) {}

  /** `dir` and up to `levels - 1` parents, stopping at the library folder. */
  upwards(dir: string, levels: number): string[] {
    const folders: string[] = [];
    let current = dir;
    for (let i = 0; i < levels && this.inside(current); i++) {
      folders.push(current);
      if (current === this.libraryFolder) break;
      current = dirname(current);
    }
    return folders;
  }

  async find(dir: string, names: string[]): Promise<string | undefined> {
    if (!this.inside(dir)) return undefined;
    const entries = await readdir(dir).catch(() => [] as string[]);
    const byName = new Map(entries.map((entry) => [entry.toLowerCase(), entry]));
    for (const name of names) {
      const found = byName.get(name.toLowerCase());
      if (found) return join(dir, found);
    }
    return undefined;
  }

  private inside(dir: string): boolean {
    const rel = relative(this.libraryFolder, dir);
    return !rel.startsWith('..') && !rel.startsWith('/');
  }
}
