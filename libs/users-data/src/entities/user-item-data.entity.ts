import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation, UpdateDateColumn } from 'typeorm';
import { User } from '@marquee/auth/entities/user.entity.js';
import { MediaItem } from '@marquee/library/entities/media-item.entity.js';
import { bigintToNumber } from '@marquee/core/database/transformers.js';

/** One user's state of one item: played, resume position, favourite, rating. */
@Entity('user_item_data')
@Index('IDX_user_item_data_item', ['itemId'])
export class UserItemData {
  @PrimaryColumn({ type: 'uuid' })
  userId: string;

  @PrimaryColumn({ type: 'uuid' })
  itemId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId' })
  user?: Relation<User>;

  @ManyToOne(() => MediaItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'itemId' })
  item?: Relation<MediaItem>;

  @Column({ type: 'boolean', default: false })
  played: boolean;

  @Column({ type: 'integer', default: 0 })
  playCount: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  positionMs: number;

  @Column({ type: 'boolean', default: false })
  favorite: boolean;

  /** 0–10, or null when not rated. */
  @Column({ type: 'real', nullable: true })
  rating: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastPlayedAt: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
