import { LIBRARY_KINDS, type LibraryKind } from '@marquee/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('libraries')
export class Library {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'enum', enum: LIBRARY_KINDS, enumName: 'library_kind' })
  kind: LibraryKind;

  /** Absolute, resolved folder paths (real paths, no symlinks). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  folders: string[];

  /** Minutes between scheduled scans; null disables the schedule. */
  @Column({ type: 'integer', nullable: true })
  scanIntervalMinutes: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastScannedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
