import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, Unique } from 'typeorm';
import { MediaItem } from '@marquee/library/entities/media-item.entity.js';
import { Playlist } from './playlist.entity.js';

/**
 * One place in a playlist (the same item may sit in several). `position` is a fractional ordering
 * key (see ordering/rank-keys.ts) compared byte by byte, so a move rewrites this row only; the
 * uniqueness is checked at the end of each statement, so a renumbering is one UPDATE.
 */
@Entity('playlist_entries')
@Unique('UQ_playlist_entries_position', ['playlistId', 'position'], { deferrable: 'INITIALLY IMMEDIATE' })
@Index('IDX_playlist_entries_item', ['itemId'])
export class PlaylistEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  playlistId: string;

  @ManyToOne(() => Playlist, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'playlistId' })
  playlist?: Relation<Playlist>;

  @Column({ type: 'uuid' })
  itemId: string;

  @ManyToOne(() => MediaItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'itemId' })
  item?: Relation<MediaItem>;

  @Column({ type: 'text', collation: 'C' })
  position: string;

  @CreateDateColumn({ type: 'timestamptz' })
  addedAt: Date;
}
