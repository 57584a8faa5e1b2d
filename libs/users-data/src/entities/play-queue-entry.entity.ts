import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, Unique } from 'typeorm';
import { MediaItem } from '@marquee/library/entities/media-item.entity.js';
import { PlayQueue } from './play-queue.entity.js';

/** One place in a user's play queue, ordered like playlist entries (fractional keys, COLLATE "C"). */
@Entity('play_queue_entries')
@Unique('UQ_play_queue_entries_position', ['userId', 'position'], { deferrable: 'INITIALLY IMMEDIATE' })
@Index('IDX_play_queue_entries_item', ['itemId'])
export class PlayQueueEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => PlayQueue, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId', referencedColumnName: 'userId' })
  queue?: Relation<PlayQueue>;

  @Column({ type: 'uuid' })
  itemId: string;

  @ManyToOne(() => MediaItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'itemId' })
  item?: Relation<MediaItem>;

  @Column({ type: 'text', collation: 'C' })
  position: string;
}
