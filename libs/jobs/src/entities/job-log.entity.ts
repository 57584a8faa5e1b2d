import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { JobRun } from './job-run.entity.js';

/** One log line of a job (bounded per job). */
@Entity('job_logs')
@Index('IDX_job_logs_job', ['jobId', 'id'])
export class JobLog {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  jobId: string;

  @ManyToOne(() => JobRun, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'jobId' })
  job?: Relation<JobRun>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  @Column({ type: 'varchar', length: 8 })
  level: 'info' | 'warn' | 'error';

  @Column({ type: 'text' })
  message: string;
}
