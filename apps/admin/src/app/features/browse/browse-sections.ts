import type { MediaItemType } from '@marquee/contracts';

/** The browsing sections of the navigation and the item types each lists. */
export interface BrowseSection {
  key: string;
  title: string;
  types: MediaItemType[];
}

export const BROWSE_SECTIONS: BrowseSection[] = [
  { key: 'movies', title: 'Films', types: ['movie'] },
  { key: 'series', title: 'Series', types: ['series'] },
  { key: 'music', title: 'Music', types: ['album'] },
  { key: 'artists', title: 'Artists', types: ['artist'] },
  { key: 'galleries', title: 'Galleries', types: ['gallery'] },
];

export const sectionFor = (key: string): BrowseSection => BROWSE_SECTIONS.find((s) => s.key === key) ?? BROWSE_SECTIONS[0];

/** The section that lists items of this type (a genre link on an item's page browses its own kind). */
export const sectionOfType = (type: MediaItemType): BrowseSection =>
  BROWSE_SECTIONS.find((s) => s.types.includes(type)) ??
  (['track', 'album'].includes(type) ? BROWSE_SECTIONS[2] : type === 'image' ? BROWSE_SECTIONS[4] : BROWSE_SECTIONS[0]);
