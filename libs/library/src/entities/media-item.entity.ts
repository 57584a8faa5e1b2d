import { MEDIA_ITEM_TYPES, type MediaItemType } from '@marquee/contracts';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { bigintToNumber } from '@marquee/core/database/transformers.js';
import { Library } from './library.entity.js';

export interface ItemPerson {
  name: string;
  role: 'actor' | 'director' | 'writer' | 'producer' | 'composer';
  character?: string;
}

/** A film, series, season, episode, artist, album, track, gallery or image: what users browse. */
@Entity('media_items')
@Index('IDX_media_items_library_type', ['libraryId', 'type'])
@Index('IDX_media_items_parent', ['parentId'])
@Index('UQ_media_items_group', ['libraryId', 'type', 'groupKey'], { unique: true, where: '"groupKey" IS NOT NULL' })
export class MediaItem {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  libraryId: string;

  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'libraryId' })
  library?: Relation<Library>;

  @Column({ type: 'uuid', nullable: true })
  parentId: string | null;

  @ManyToOne(() => MediaItem, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'parentId' })
  parent?: Relation<MediaItem> | null;

  @Column({ type: 'enum', enum: MEDIA_ITEM_TYPES, enumName: 'media_item_type' })
  type: MediaItemType;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text', nullable: true })
  sortTitle: string | null;

  @Column({ type: 'text', nullable: true })
  originalTitle: string | null;

  @Column({ type: 'integer', nullable: true })
  year: number | null;

  /** Release or air date (date-based episodes, album release dates). */
  @Column({ type: 'date', nullable: true })
  premiereDate: string | null;

  @Column({ type: 'text', nullable: true })
  tagline: string | null;

  @Column({ type: 'text', nullable: true })
  overview: string | null;

  /** Episode number, track number, part number… */
  @Column({ type: 'integer', nullable: true })
  indexNumber: number | null;

  /** Last episode of a multi-episode file (S01E02E03 → 3). */
  @Column({ type: 'integer', nullable: true })
  indexNumberEnd: number | null;

  /** Season number, disc number… */
  @Column({ type: 'integer', nullable: true })
  parentIndexNumber: number | null;

  /** Absolute episode number (anime-style numbering). */
  @Column({ type: 'integer', nullable: true })
  absoluteNumber: number | null;

  /** trailer, featurette, behind-the-scenes… for items of type `extra`. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  extraType: string | null;

  /**
   * What makes a container item unique in its library, so rescans find it again: the series
   * folder, an album's MusicBrainz id or artist + title + date, a gallery's folder, a film's folder
   * and title. Null for items that are simply their file (episodes, tracks, images).
   */
  @Column({ type: 'text', nullable: true })
  groupKey: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  genres: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  studios: string[];

  /** Cast and crew: { name, role, character? }. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  people: ItemPerson[];

  /** Track or album artists, in tag order. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  artists: string[];

  /** For tracks: the album's title, so search finds a track by its album. */
  @Column({ type: 'text', nullable: true })
  albumTitle: string | null;

  @Column({ type: 'real', nullable: true })
  communityRating: number | null;

  @Column({ type: 'real', nullable: true })
  criticRating: number | null;

  /** Age rating such as "PG-13". */
  @Column({ type: 'varchar', length: 32, nullable: true })
  officialRating: string | null;

  /** Full-text search document, kept by a trigger; its GIN index is made by the LibrarySearch migration. */
  @Index('IDX_media_items_search', { synchronize: false })
  @Column({ type: 'tsvector', nullable: true, select: false, insert: false, update: false })
  searchVector?: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintToNumber })
  durationMs: number | null;

  /** Provider ids such as { imdb: "tt0078748", tmdb: "348", musicbrainzAlbum: "…" }. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  providerIds: Record<string, string>;

  /** Fields an admin edited (or an NFO locked) that scans and scrapers must not overwrite. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  lockedFields: string[];

  /** Set when every file of the item disappeared; a cleanup job deletes it later. */
  @Column({ type: 'timestamptz', nullable: true })
  missingSince: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  addedAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
