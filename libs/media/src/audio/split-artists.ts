// "A (feat. B)" and "A [ft. B]" are credits written inside brackets; they become "A feat. B" first.
const BRACKETED_FEATURE = /\s*[([]\s*(?:feat\.|ft\.|featuring)\s+([^)\]]+)[)\]]/gi;
// Deliberately not "&", "and", "," or a bare "/": "Simon & Garfunkel", "Earth, Wind & Fire" and "AC/DC" are one artist each.
const SEPARATOR = /\s+\/\s+|\s+(?:feat\.|ft\.|featuring)\s+|\s*;\s*/i;

/** One artist tag → the artists it credits, trimmed, without duplicates (case-insensitive), in order. */
export function splitArtists(value: string): string[] {
  const seen = new Set<string>();
  const artists: string[] = [];
  for (const part of value.replace(BRACKETED_FEATURE, ' feat. $1').split(SEPARATOR)) {
    const artist = part.trim();
    const key = artist.toLocaleLowerCase();
    if (!artist || seen.has(key)) continue;
    seen.add(key);
    artists.push(artist);
  }
  return artists;
}
