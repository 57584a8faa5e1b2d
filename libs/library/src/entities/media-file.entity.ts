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
@Index('IDX_media_files_folder', ['libraryId', 'folder'])
@Index('UQ_media_files_path', ['path', 'archiveEntry'], { unique: true })
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
  @Column({ type: 'text' })
  path: string;

  /** The directory holding the file: rescans compare one directory at a time. */
  @Column({ type: 'text' })
  folder: string;

  /** For an image inside a zip/cbz gallery: the entry's name; '' for a plain file. */
  @Column({ type: 'text', default: '' })
  archiveEntry: string;

  @Column({ type: 'varchar', length: 16 })
  category: 'video' | 'audio' | 'image';

  /** Image dimensions (sharp). */
  @Column({ type: 'integer', nullable: true })
  width: number | null;

  @Column({ type: 'integer', nullable: true })
  height: number | null;

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
  fingerprintedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  missingSince: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
