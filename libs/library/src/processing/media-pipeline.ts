import { Injectable } from '@nestjs/common';
import type { MediaFileJobPayload, QueueName } from '@marquee/contracts';
import { JobLedger } from '@marquee/jobs';
import { SettingsService } from '@marquee/system/settings.service.js';
import { VIDEO_PHASH_SETTING } from '@marquee/system/video-phash-setting.js';

export interface ScannedFile {
  id: string;
  category: 'video' | 'audio' | 'image';
  itemId: string;
  /** What the dashboard shows, e.g. "Alien (1979).mkv". */
  label: string;
  /** After a probe: how many embedded subtitle streams ffmpeg can turn into WebVTT. */
  textSubtitleStreams?: number;
}

/**
 * Which per-file jobs follow which: a scan queues a probe for video and audio (and a thumbnail and a
 * fingerprint for images); a successful probe queues the fingerprint, then a thumbnail and trickplay
 * (and extract-subtitles when it found text subtitle streams) for video or the audio tags for music.
 * Each job is deduplicated per file, so rescans never pile up copies.
 */
@Injectable()
export class MediaPipeline {
  constructor(
    private readonly ledger: JobLedger,
    private readonly settings: SettingsService,
  ) {}

  async afterScan(files: ScannedFile[]): Promise<void> {
    const probed = files.filter((file) => file.category !== 'image');
    const images = files.filter((file) => file.category === 'image');
    await this.enqueue('media-probe', 'probe', probed, 'bulk');
    await this.enqueue('thumbnail', 'thumbnail', images, 'bulk');
    await this.enqueue('fingerprint', 'fingerprint', images, 'bulk');
  }

  async afterProbe(file: ScannedFile): Promise<void> {
    await this.enqueue('fingerprint', 'fingerprint', [file], 'bulk');
    if (file.category === 'video') await this.enqueue('thumbnail', 'thumbnail', [file], 'bulk');
    if (file.category === 'video') await this.enqueue('trickplay', 'trickplay', [file], 'bulk');
    if (file.category === 'video' && file.textSubtitleStreams) await this.enqueue('extract-subtitles', 'extract-subtitles', [file], 'bulk');
    if (file.category === 'audio') await this.enqueue('audio-tags', 'audio-tags', [file], 'bulk');
  }

  /** Probes again, streams only: what a newer probe records (rotation, interlacing…) without redoing the rest. */
  async reprobe(files: ScannedFile[]): Promise<void> {
    await this.enqueue('media-probe', 'probe', files, 'bulk', { streamsOnly: true });
  }

  async videoPhashEnabled(): Promise<boolean> {
    return this.settings.get<boolean>(VIDEO_PHASH_SETTING, false);
  }

  private async enqueue(
    queue: QueueName,
    name: string,
    files: ScannedFile[],
    priority: 'bulk' | 'interactive',
    options: Omit<MediaFileJobPayload, 'fileId'> = {},
  ): Promise<void> {
    for (let i = 0; i < files.length; i += 1000) {
      const slice = files.slice(i, i + 1000);
      await this.ledger.enqueueBulk<MediaFileJobPayload>(
        queue,
        name,
        slice.map((file) => ({
          payload: { fileId: file.id, ...options },
          target: { type: 'item', id: file.itemId, label: file.label },
          dedupeKey: `${queue}:${file.id}`,
        })),
        { priority },
      );
    }
  }
}
