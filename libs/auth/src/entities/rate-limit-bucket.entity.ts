import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A fixed-window counter, used when no Redis is configured. */
@Entity('rate_limit_buckets')
@Index('IDX_rate_limit_buckets_reset', ['resetAt'])
export class RateLimitBucket {
  @PrimaryColumn({ type: 'varchar', length: 300 })
  key: string;

  @Column({ type: 'integer' })
  count: number;

  @Column({ type: 'timestamptz' })
  resetAt: Date;
}
