import type { NfoMetadata } from '@marquee/media';

/**
 * The NFO entry for an item spanning episodes `first`..`last` (one file holding S01E13E14). Its NFO
 * holds one `<episodedetails>` per episode, in any order; as Jellyfin does, the covered entries'
 * titles are joined with " / " and their plots one after another, and the rest comes from the
 * first episode's entry. An item without episode numbers (or an NFO without matching ones) takes
 * the first entry.
 */
export function episodeEntry(entries: readonly NfoMetadata[], first: number | null, last: number | null): NfoMetadata | undefined {
  if (first === null) return entries[0];
  const end = last !== null && last > first ? last : first;
  const covered = entries
    .filter((entry) => entry.episode !== undefined && entry.episode >= first && entry.episode <= end)
    .sort((a, b) => a.episode! - b.episode!);
  if (covered.length <= 1) return covered[0] ?? entries[0];
  const joined = (values: (string | undefined)[], separator: string) =>
    values.filter((value) => value?.trim()).join(separator) || undefined;
  return {
    ...covered[0],
    title: joined(
      covered.map((entry) => entry.title),
      ' / ',
    ),
    plot: joined(
      covered.map((entry) => entry.plot),
      '\n\n',
    ),
  };
}
