import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, type Relation, UpdateDateColumn } from 'typeorm';
import { User } from '@marquee/auth/entities/user.entity.js';
import { bigintToNumber } from '@marquee/core/database/transformers.js';

/**
 * A user's play queue, one per user, shared by all their devices: where playback is (current entry
 * and position). Its row is the lock every change of the queue takes.
 */
@Entity('play_queues')
export class PlayQueue {
  @PrimaryColumn({ type: 'uuid' })
  userId: string;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId' })
  user?: Relation<User>;

  /** The entry playing now; null when the queue is empty. */
  @Column({ type: 'uuid', nullable: true })
  currentEntryId: string | null;

  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  positionMs: number;

  /** Bumped by every change, so a device can tell the queue moved on since it last read it. */
  @Column({ type: 'integer', default: 0 })
  revision: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
