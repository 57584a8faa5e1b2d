import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A worker process announcing itself and its readiness checks every few seconds. */
@Entity('worker_heartbeats')
export class WorkerHeartbeat {
  /** `<hostname>:<pid>:<start time>`, unique per process run. */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  id: string;

  @Column({ type: 'varchar', length: 128 })
  hostname: string;

  @Column({ type: 'integer' })
  pid: number;

  @Column({ type: 'varchar', length: 32 })
  version: string;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'timestamptz' })
  lastSeenAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  stoppedAt: Date | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  checks: Record<string, { status: 'up' | 'down'; message?: string }>;
}
