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

/** A film, series, season, episode, artist, album, track, gallery or image: what users browse. */
@Entity('media_items')
@Index('IDX_media_items_library_type', ['libraryId', 'type'])
@Index('IDX_media_items_parent', ['parentId'])
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

  @Column({ type: 'text', nullable: true })
  overview: string | null;

  /** Episode number, track number, part number… */
  @Column({ type: 'integer', nullable: true })
  indexNumber: number | null;

  /** Season number, disc number… */
  @Column({ type: 'integer', nullable: true })
  parentIndexNumber: number | null;

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
