import { MEDIA_STREAM_TYPES, type MediaStreamType } from '@marquee/contracts';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { bigintToNumber } from '@marquee/core/database/transformers.js';
import { MediaFile } from './media-file.entity.js';

/** One stream of a file as ffprobe reports it (video, audio, subtitle…). */
@Entity('media_streams')
@Index('UQ_media_streams_file_index', ['fileId', 'streamIndex'], { unique: true })
export class MediaStream {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  fileId: string;

  @ManyToOne(() => MediaFile, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'fileId' })
  file?: Relation<MediaFile>;

  /** The stream's index inside the container, as ffmpeg's `-map 0:<index>` expects. */
  @Column({ type: 'integer' })
  streamIndex: number;

  @Column({ type: 'enum', enum: MEDIA_STREAM_TYPES, enumName: 'media_stream_type' })
  type: MediaStreamType;

  @Column({ type: 'varchar', length: 32, nullable: true })
  codec: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  profile: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  language: string | null;

  @Column({ type: 'text', nullable: true })
  title: string | null;

  @Column({ type: 'integer', nullable: true })
  width: number | null;

  @Column({ type: 'integer', nullable: true })
  height: number | null;

  @Column({ type: 'double precision', nullable: true })
  frameRate: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintToNumber })
  bitrate: number | null;

  @Column({ type: 'integer', nullable: true })
  bitDepth: number | null;

  @Column({ type: 'integer', nullable: true })
  sampleRate: number | null;

  @Column({ type: 'integer', nullable: true })
  channels: number | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  channelLayout: string | null;

  /** e.g. "hdr10", "hlg", "dolby-vision"; null for SDR. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  hdr: string | null;

  /** Video: clockwise display rotation (0, 90, 180, 270); a phone video held upright is stored turned by 90. */
  @Column({ type: 'smallint', nullable: true })
  rotation: number | null;

  /** Video: pixel width ÷ height when pixels are not square (anamorphic); null when square. */
  @Column({ type: 'double precision', nullable: true })
  sampleAspectRatio: number | null;

  /** Video: coded as interlaced fields. */
  @Column({ type: 'boolean', default: false })
  interlaced: boolean;

  @Column({ type: 'boolean', default: false })
  isDefault: boolean;

  @Column({ type: 'boolean', default: false })
  isForced: boolean;
}
