import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, UpdateDateColumn } from 'typeorm';
import { MediaItem } from './media-item.entity.js';

export const ARTWORK_KINDS = ['poster', 'backdrop', 'thumb', 'cover', 'banner', 'logo'] as const;
export type ArtworkKind = (typeof ARTWORK_KINDS)[number];

/** Where a picture came from; a higher rank is never replaced by a lower one. */
export const ARTWORK_SOURCE_RANK = { generated: 1, embedded: 2, folder: 3, nfo: 3, scraped: 4, upload: 5 } as const;
export type ArtworkSource = keyof typeof ARTWORK_SOURCE_RANK;

/** One picture of an item per kind: a folder poster, an embedded cover, a generated thumbnail… */
@Entity('item_artwork')
@Index('UQ_item_artwork_item_kind', ['itemId', 'kind'], { unique: true })
export class ItemArtwork {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  itemId: string;

  @ManyToOne(() => MediaItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'itemId' })
  item?: Relation<MediaItem>;

  @Column({ type: 'varchar', length: 16 })
  kind: ArtworkKind;

  @Column({ type: 'varchar', length: 16 })
  source: ArtworkSource;

  /** A file in a library folder (folder art) or in the data dir (generated, embedded, uploaded). */
  @Column({ type: 'text' })
  path: string;

  /** For art inside a zip gallery. */
  @Column({ type: 'text', default: '' })
  archiveEntry: string;

  @Column({ type: 'integer', nullable: true })
  width: number | null;

  @Column({ type: 'integer', nullable: true })
  height: number | null;

  /** Changes whenever the picture does: part of the resized copies' cache key and ETag. */
  @Column({ type: 'varchar', length: 64 })
  version: string;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
