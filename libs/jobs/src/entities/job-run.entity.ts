import { JOB_STATES, type JobState } from '@marquee/contracts';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The job ledger: one row per BullMQ job (same id), kept after the queue forgets the job. */
@Entity('job_runs')
@Index('IDX_job_runs_queue_state_created', ['queue', 'state', 'createdAt'])
@Index('IDX_job_runs_state_created', ['state', 'createdAt'])
@Index('IDX_job_runs_target', ['targetType', 'targetId'])
@Index('IDX_job_runs_created', ['createdAt'])
@Index('UQ_job_runs_dedupe_open', ['dedupeKey'], { unique: true, where: `"state" IN ('queued', 'active')` })
@Index('IDX_job_runs_finished', ['finishedAt'])
// A trigram index on the dashboard's search expression, created by a hand-written migration.
@Index('IDX_job_runs_search', { synchronize: false })
export class JobRun {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 32 })
  queue: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'enum', enum: JOB_STATES, enumName: 'job_state', default: 'queued' })
  state: JobState;

  @Column({ type: 'varchar', length: 32, nullable: true })
  targetType: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  targetId: string | null;

  @Column({ type: 'text', nullable: true })
  targetLabel: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  payload: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  result: Record<string, unknown> | null;

  @Column({ type: 'smallint', default: 0 })
  progress: number;

  @Column({ type: 'text', nullable: true })
  progressMessage: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'integer', default: 1 })
  maxAttempts: number;

  @Column({ type: 'integer', default: 0 })
  priority: number;

  /** Same key ⇒ same work: a second enqueue while one is queued/active is a no-op. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  dedupeKey: string | null;

  /** Set when an admin cancels a running job; the worker running it aborts it. */
  @Column({ type: 'timestamptz', nullable: true })
  cancelRequestedAt: Date | null;

  /** `<host>:<pid>` of the worker that ran (or runs) the latest attempt. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  workerId: string | null;

  @Column({ type: 'integer', nullable: true })
  durationMs: number | null;

  @Column({ type: 'integer', default: 0 })
  logCount: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'text', nullable: true })
  stack: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
