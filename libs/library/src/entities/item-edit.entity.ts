import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { MediaItem } from './media-item.entity.js';

export interface FieldChange {
  before: unknown;
  after: unknown;
}

/** One metadata edit of an item: who, when, and each changed field before and after. */
@Entity('item_edits')
@Index('IDX_item_edits_item_at', ['itemId', 'at'])
export class ItemEdit {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  itemId: string;

  @ManyToOne(() => MediaItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'itemId' })
  item?: Relation<MediaItem>;

  /** The editor; null once their account is deleted (the name stays). */
  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ type: 'varchar', length: 64 })
  username: string;

  /** `admin` for a manual edit, `scrape` for an applied scrape. */
  @Column({ type: 'varchar', length: 16 })
  source: 'admin' | 'scrape';

  @Column({ type: 'jsonb' })
  changes: Record<string, FieldChange>;

  @CreateDateColumn({ type: 'timestamptz' })
  at: Date;
}
