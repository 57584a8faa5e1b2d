import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A change the dashboard hears about (SSE); kept for an hour so reconnecting clients miss nothing. */
@Entity('job_events')
@Index('IDX_job_events_at', ['at'])
export class JobEvent {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  /** 'job', 'queue', 'scan'… */
  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;
}
