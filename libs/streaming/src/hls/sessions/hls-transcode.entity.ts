import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export const TRANSCODE_STATES = [
  'queued',
  'running',
  'finished',
  'ahead',
  'stopped',
  'idle',
  'superseded',
  'lost',
  'failed',
  'cancelled',
] as const;
export type TranscodeState = (typeof TRANSCODE_STATES)[number];
/** A transcode in one of these states is (or is about to be) making segments. */
export const LIVE_STATES: readonly TranscodeState[] = ['queued', 'running'];

/**
 * One run of an `hls-transcode` job: which variant it makes, from which segment, how far it got,
 * who watches it and when they last asked. The api replicas and the workers coordinate through
 * these rows (and the shared data dir) only.
 */
@Entity('hls_transcodes')
@Index('IDX_hls_transcodes_variant_live', ['variantKey'], { where: `state IN ('queued', 'running')` })
@Index('IDX_hls_transcodes_item', ['itemId'])
export class HlsTranscode {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  itemId: string;

  @Column({ type: 'uuid' })
  fileId: string;

  /** `<fileId>/<rendition>-a<audio>-<hash>`: the cache folder its segments go to. */
  @Column({ type: 'text' })
  variantKey: string;

  @Column({ type: 'varchar', length: 16 })
  rendition: string;

  @Column({ type: 'integer', nullable: true })
  audioStreamIndex: number | null;

  @Column({ type: 'integer' })
  startSegment: number;

  /** The next segment it will publish (startSegment until the first one is done). */
  @Column({ type: 'integer' })
  nextSegment: number;

  /** Last segment of the run. */
  @Column({ type: 'integer' })
  lastSegment: number;

  /** The furthest segment a viewer asked for while it ran. */
  @Column({ type: 'integer' })
  requestedSegment: number;

  @Column({ type: 'varchar', length: 16 })
  state: TranscodeState;

  /** The `job_runs` / BullMQ id of the job running it. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  jobId: string | null;

  @Column({ type: 'text', nullable: true })
  workerId: string | null;

  /** Host name of the worker, so a restarted worker on that host can reap an encoder its predecessor left. */
  @Column({ type: 'text', nullable: true })
  host: string | null;

  @Column({ type: 'integer', nullable: true })
  workerPid: number | null;

  /** User id → epoch ms of that user's last segment request. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  viewers: Record<string, number>;

  @Column({ type: 'timestamptz' })
  lastRequestAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  heartbeatAt: Date | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}
