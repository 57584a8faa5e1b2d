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

/**
 * A file the scan met but could not read (a corrupt track or archive, an unreadable file), with why.
 * It is not catalogued; rescans skip it while its size and mtime stay the same, and read it again
 * once they change. The row goes when the file is read, or when the file is gone.
 */
@Entity('unreadable_files')
@Index('UQ_unreadable_files_path', ['path'], { unique: true })
@Index('IDX_unreadable_files_folder', ['libraryId', 'folder'])
export class UnreadableFile {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  libraryId: string;

  @ManyToOne(() => Library, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'libraryId' })
  library?: Relation<Library>;

  @Column({ type: 'text' })
  path: string;

  @Column({ type: 'text' })
  folder: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  size: number;

  @Column({ type: 'timestamptz' })
  mtime: Date;

  /** What went wrong, as the reader said it. */
  @Column({ type: 'text' })
  reason: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
