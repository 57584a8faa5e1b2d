import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Finds sidecar files (NFOs, folder art) next to media, case-insensitively, listing each directory
 * at most once per scan. Directories the walk already listed are primed from the walk.
 */
export class SidecarFinder {
  private readonly listings = new Map<string, Map<string, string>>();

  prime(dir: string, names: string[]): void {
    this.listings.set(dir, new Map(names.map((name) => [name.toLowerCase(), name])));
  }

  /** The absolute path of the first candidate name present in `dir`. */
  async find(dir: string, candidates: string[]): Promise<string | undefined> {
    const listing = await this.listing(dir);
    for (const candidate of candidates) {
      const name = listing.get(candidate.toLowerCase());
      if (name) return join(dir, name);
    }
    return undefined;
  }

  private async listing(dir: string): Promise<Map<string, string>> {
    let listing = this.listings.get(dir);
    if (!listing) {
      const names = await readdir(dir).catch(() => [] as string[]);
      listing = new Map(names.map((name) => [name.toLowerCase(), name]));
      if (this.listings.size > 10_000) this.listings.clear();
      this.listings.set(dir, listing);
    }
    return listing;
  }
}

const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp'];
export const withImageExtensions = (...stems: string[]) => stems.flatMap((stem) => IMAGE_EXTENSIONS.map((ext) => `${stem}.${ext}`));
