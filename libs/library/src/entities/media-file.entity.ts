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
import { MediaItem } from './media-item.entity.js';

/** One file on disk belonging to an item (a film may have several parts). */
@Entity('media_files')
@Index('IDX_media_files_item', ['itemId'])
@Index('IDX_media_files_oshash', ['oshash'])
export class MediaFile {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  itemId: string;

  @ManyToOne(() => MediaItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'itemId' })
  item?: Relation<MediaItem>;

  @Column({ type: 'uuid' })
  libraryId: string;

  /** Absolute path inside one of the library's folders. */
  @Index('UQ_media_files_path', { unique: true })
  @Column({ type: 'text' })
  path: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  size: number;

  @Column({ type: 'timestamptz' })
  mtime: Date;

  @Column({ type: 'varchar', length: 32, nullable: true })
  container: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintToNumber })
  durationMs: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintToNumber })
  bitrate: number | null;

  @Column({ type: 'char', length: 32, nullable: true })
  md5: string | null;

  @Column({ type: 'char', length: 16, nullable: true })
  oshash: string | null;

  @Column({ type: 'char', length: 16, nullable: true })
  phash: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  probedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  missingSince: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
