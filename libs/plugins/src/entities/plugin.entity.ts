import type { PluginManifest } from '@marquee/contracts';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** An installed plugin: its manifest, where its files are, whether it runs, and its settings. */
@Entity('plugins')
export class Plugin {
  /** The manifest's id (`org.example.catalogue`). */
  @PrimaryColumn({ type: 'varchar', length: 128 })
  id: string;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'varchar', length: 64 })
  version: string;

  /** The validated `marquee-plugin.json` (json, not jsonb: the order of its settings is kept). */
  @Column({ type: 'json' })
  manifest: PluginManifest;

  @Column({ type: 'boolean', default: false })
  enabled: boolean;

  /** How it was installed. */
  @Column({ type: 'varchar', length: 16 })
  source: 'archive' | 'folder';

  /** The folder it runs from: `<dataDir>/plugins/<id>`. */
  @Column({ type: 'text' })
  path: string;

  /** Settings that are not secret, by name. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  settings: Record<string, string | number | boolean>;

  /** Secret settings, each sealed with AES-256-GCM under the data dir's plugin key. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  secrets: Record<string, string>;

  @CreateDateColumn({ type: 'timestamptz' })
  installedAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
