import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Server-wide settings an admin changes at run time (e.g. whether registration is open). */
@Entity('settings')
export class Setting {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  key: string;

  @Column({ type: 'jsonb' })
  value: unknown;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
