import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** Image extensions of folder art, in order of preference when one stem has several. */
const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp'];
/**
 * Directories whose listings are kept. The scan writes (and looks for the sidecars of) a batch a few
 * batches behind the walk, so the listings it needs are recent ones; older ones are let go, so a
 * library of millions of files costs no more memory than a small one (a dropped listing is read again).
 */
const MAX_LISTINGS = 10_000;

/** One directory's file names, indexed on first use (most directories are never asked about). */
class Listing {
  private lowerNames?: Map<string, string>;
  private imageStems?: Map<string, string>;

  constructor(private readonly names: readonly string[]) {}

  /** Lower-case name → name. */
  get byName(): Map<string, string> {
    return (this.lowerNames ??= new Map(this.names.map((name) => [name.toLowerCase(), name])));
  }

  /** Lower-case stem of each image → its name, with the preferred extension when a stem has several. */
  get imagesByStem(): Map<string, string> {
    if (!this.imageStems) {
      const images: { stem: string; rank: number; name: string }[] = [];
      for (const name of this.names) {
        const extension = extname(name);
        const rank = IMAGE_EXTENSIONS.indexOf(extension.slice(1).toLowerCase());
        if (rank >= 0) images.push({ stem: name.slice(0, -extension.length).toLowerCase(), rank, name });
      }
      // Least preferred first, so the preferred extension is set last and wins.
      images.sort((a, b) => b.rank - a.rank);
      this.imageStems = new Map(images.map(({ stem, name }) => [stem, name]));
    }
    return this.imageStems;
  }
}

/**
 * Finds sidecar files (NFOs, folder art) next to media, case-insensitively, listing each directory
 * at most once while it is recent. Directories the walk already listed are primed from the walk.
 */
export class SidecarFinder {
  private readonly listings = new Map<string, Listing>();

  prime(dir: string, names: string[]): void {
    this.remember(dir, new Listing(names));
  }

  /** The absolute path of the first candidate name present in `dir`. */
  async find(dir: string, candidates: string[]): Promise<string | undefined> {
    const names = (await this.listing(dir)).byName;
    for (const candidate of candidates) {
      const name = names.get(candidate.toLowerCase());
      if (name) return join(dir, name);
    }
    return undefined;
  }

  /** The absolute path of the first stem present in `dir` as an image (`poster` → `poster.jpg`, else `poster.png`…). */
  async findImage(dir: string, stems: string[]): Promise<string | undefined> {
    const images = (await this.listing(dir)).imagesByStem;
    if (images.size === 0) return undefined;
    for (const stem of stems) {
      const name = images.get(stem.toLowerCase());
      if (name) return join(dir, name);
    }
    return undefined;
  }

  private async listing(dir: string): Promise<Listing> {
    let listing = this.listings.get(dir);
    if (!listing) {
      listing = new Listing(await readdir(dir).catch(() => [] as string[]));
      this.remember(dir, listing);
    }
    return listing;
  }

  private remember(dir: string, listing: Listing): void {
    this.listings.delete(dir);
    this.listings.set(dir, listing);
    if (this.listings.size > MAX_LISTINGS) this.listings.delete(this.listings.keys().next().value!);
  }
}
