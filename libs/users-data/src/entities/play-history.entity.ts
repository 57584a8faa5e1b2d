import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '@marquee/auth/entities/user.entity.js';
import { MediaItem } from '@marquee/library/entities/media-item.entity.js';
import { bigintToNumber } from '@marquee/core/database/transformers.js';

/** One counted play of an item by a user (a scrobble, or a video watched to the end). */
@Entity('play_history')
@Index('IDX_play_history_user_played', ['userId', 'playedAt'])
@Index('IDX_play_history_item', ['itemId'])
export class PlayHistoryEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId' })
  user?: Relation<User>;

  @Column({ type: 'uuid' })
  itemId: string;

  @ManyToOne(() => MediaItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'itemId' })
  item?: Relation<MediaItem>;

  @Column({ type: 'timestamptz' })
  playedAt: Date;

  /** How long it was actually played. */
  @Column({ type: 'bigint', transformer: bigintToNumber })
  playedMs: number;
}
