import { createHash } from 'node:crypto';
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MediaFileJobPayload, TrickplayInfo } from '@marquee/contracts';
import { JobLedger } from '@marquee/jobs';
import { DataSource } from 'typeorm';
import { type VideoSource, VideoSources } from '../subtitles/video-source.js';
import { type TrickplayManifest, trickplayVtt } from './trickplay-manifest.js';
import { TrickplayStore } from './trickplay-store.js';

export const trickplayPath = (itemId: string) => `items/${itemId}/trickplay.vtt`;

export interface TrickplayTrack {
  body: string;
  etag: string;
}

export interface TrickplaySprite {
  path: string;
  etag: string;
}

const SHEET_NUMBER = /^(?:0|[1-9]\d{0,3})$/;
/** After a failed build, the track answers with its error for this long instead of queueing it again. */
const FAILURE_MEMORY_MS = 10 * 60_000;

/**
 * Trickplay of an item: whether it exists (for the playback decision), the WebVTT thumbnails track
 * and its sprite sheets. A track asked for before it exists queues the `trickplay` job.
 */
@Injectable()
export class TrickplayService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sources: VideoSources,
    private readonly store: TrickplayStore,
    private readonly ledger: JobLedger,
  ) {}

  /** 404 for an unknown item; null until the sprite sheets of the item's current video file exist. */
  async info(itemId: string): Promise<TrickplayInfo | null> {
    const source = await this.sources.forItem(itemId);
    const manifest = source && (await this.store.manifest(source.item.id, source.version));
    if (!manifest) return null;
    return {
      path: trickplayPath(source.item.id),
      intervalMs: manifest.intervalMs,
      tileWidth: manifest.tileWidth,
      tileHeight: manifest.tileHeight,
      columns: manifest.columns,
      rows: manifest.rows,
      thumbnailCount: manifest.thumbnailCount,
    };
  }

  /** The thumbnails track; with a stream token its image URLs carry the token. */
  async track(itemId: string, streamToken?: string): Promise<TrickplayTrack> {
    const { source, manifest } = await this.require(itemId);
    const tokenTag = streamToken ? `-${createHash('sha256').update(streamToken).digest('hex').slice(0, 12)}` : '';
    return { body: trickplayVtt(manifest, streamToken), etag: `"${source.version}${tokenTag}"` };
  }

  async sprite(itemId: string, sheet: string): Promise<TrickplaySprite> {
    if (!SHEET_NUMBER.test(sheet))
      throw new BadRequestException(`${JSON.stringify(String(sheet).slice(0, 40))} is not a sprite sheet number`);
    const { source, manifest } = await this.require(itemId, { enqueue: false });
    const n = Number(sheet);
    if (n >= manifest.sheets.length)
      throw new NotFoundException(`Item ${itemId} has ${manifest.sheets.length} sprite sheet(s); there is no ${n}`);
    return { path: this.store.spritePath(source.item.id, source.version, n), etag: `"${source.version}-${n}"` };
  }

  private async require(
    itemId: string,
    options: { enqueue?: boolean } = {},
  ): Promise<{ source: VideoSource; manifest: TrickplayManifest }> {
    const source = await this.sources.forItem(itemId);
    if (!source) throw new NotFoundException(`Item ${itemId} has no video file, so no trickplay`);
    const manifest = await this.store.manifest(source.item.id, source.version);
    if (manifest) return { source, manifest };
    if (options.enqueue === false) throw new NotFoundException(`Trickplay of item ${itemId} does not exist yet`);
    const failure = await this.recentFailure(source.item.id);
    if (failure) throw new NotFoundException(`Trickplay of item ${itemId} could not be generated: ${failure}`);
    const job = await this.ledger.enqueue<MediaFileJobPayload>(
      'trickplay',
      'trickplay',
      { fileId: source.file.id },
      { type: 'item', id: source.item.id, label: source.item.title },
      { dedupeKey: `trickplay:${source.file.id}` },
    );
    throw new NotFoundException(`Trickplay of item ${itemId} is not ready yet; it is being generated (job ${job.id})`);
  }

  private async recentFailure(itemId: string): Promise<string | undefined> {
    const [latest] = await this.dataSource.query<{ state: string; error: string | null; recent: boolean }[]>(
      `SELECT state, error, "finishedAt" > now() - make_interval(secs => $2) AS recent FROM job_runs
        WHERE "targetType" = 'item' AND "targetId" = $1 AND queue = 'trickplay' ORDER BY "createdAt" DESC LIMIT 1`,
      [itemId, FAILURE_MEMORY_MS / 1000],
    );
    return latest?.state === 'failed' && latest.recent ? (latest.error ?? 'unknown error') : undefined;
  }
}
