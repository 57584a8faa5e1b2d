import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { HlsRendition } from '@marquee/contracts';
import { Library } from '@marquee/library/entities/library.entity.js';
import { MediaFile } from '@marquee/library/entities/media-file.entity.js';
import { MediaItem } from '@marquee/library/entities/media-item.entity.js';
import { MediaStream } from '@marquee/library/entities/media-stream.entity.js';
import { DataSource } from 'typeorm';
import { filmParts } from '../../parts/film-parts.js';
import { type Rendition, renditionLadder } from '../planning/ladder.js';
import { type SegmentPlan, segmentPlan } from '../planning/segment-plan.js';
import { variantKey } from '../storage/hls-paths.js';

/** Codecs of pictures that are cover art rather than a film, when a container does not flag them. */
const STILL_IMAGE_CODECS = new Set(['mjpeg', 'png', 'bmp', 'gif', 'webp']);

type SourceFile = Pick<MediaFile, 'id' | 'path' | 'size' | 'mtime' | 'durationMs' | 'libraryId'>;

export interface HlsSource {
  item: Pick<MediaItem, 'id' | 'title' | 'libraryId'>;
  /** The first part: its streams are the ones played, its id names the transcodes and the cache. */
  file: SourceFile;
  /** Every part in playing order, each probed: a film in numbered parts (cd1, cd2…) plays as one; most items have one. */
  parts: SourceFile[];
  video: MediaStream | null;
  audio: MediaStream[];
}

export interface HlsVariant {
  source: HlsSource;
  rendition: Rendition;
  audioStreamIndex: number | null;
  videoStreamIndex: number | null;
  key: string;
  plan: SegmentPlan;
}

/**
 * What HLS streams of an item: its first playable file and that file's streams, all from the
 * catalogue. The ladder, the audio choice and the segment plan are derived from them here, the
 * same way on the api (playlists, requests) and on the workers (the transcode).
 */
@Injectable()
export class HlsSourceService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async assertItem(itemId: string): Promise<void> {
    if (!(await this.dataSource.getRepository(MediaItem).existsBy({ id: itemId }))) throw new NotFoundException('Item not found');
  }

  async load(itemId: string): Promise<HlsSource> {
    const item = await this.dataSource
      .getRepository(MediaItem)
      .findOne({ where: { id: itemId }, select: { id: true, title: true, libraryId: true } });
    if (!item) throw new NotFoundException('Item not found');
    const files = await this.dataSource
      .getRepository(MediaFile)
      .createQueryBuilder('f')
      .select(['f.id', 'f.path', 'f.size', 'f.mtime', 'f.durationMs', 'f.libraryId', 'f.category'])
      .where('f.itemId = :itemId', { itemId })
      .andWhere(`f.category IN ('video', 'audio')`)
      .andWhere(`f.archiveEntry = ''`)
      .andWhere('f.missingSince IS NULL')
      .orderBy(`CASE WHEN f.category = 'video' THEN 0 ELSE 1 END`)
      .addOrderBy('f.path')
      .getMany();
    if (files.length === 0) throw new NotFoundException('This item has no video or audio file to stream');
    // A film in parts (cd1, cd2…) plays them all in order; of several versions, the first. Only an item
    // with several video files needs its library's folders (one more query) to tell which.
    const videos = files[0].category === 'video' ? files.filter((part) => part.category === 'video') : [files[0]];
    const parts =
      videos.length > 1
        ? filmParts(videos, (await this.dataSource.getRepository(Library).findOneBy({ id: files[0].libraryId }))?.folders ?? [])
        : videos;
    const file = parts[0];
    const unprobed = parts.findIndex((part) => !part.durationMs);
    if (unprobed !== -1)
      throw new ConflictException(
        parts.length > 1
          ? `Part ${unprobed + 1} of this item has not been probed yet; try again once its probe job has finished`
          : 'This item has not been probed yet; try again once its probe job has finished',
      );
    const streams = await this.dataSource.getRepository(MediaStream).find({ where: { fileId: file.id }, order: { streamIndex: 'ASC' } });
    const video = streams.find((s) => s.type === 'video' && s.width && s.height && !STILL_IMAGE_CODECS.has(s.codec ?? '')) ?? null;
    return { item, file, parts, video, audio: streams.filter((s) => s.type === 'audio') };
  }

  /**
   * The source audio stream to use: the one asked for (it must be an audio stream of this file),
   * else the file's default one, else its first.
   */
  audioStream(source: HlsSource, requested?: number): MediaStream | null {
    if (requested !== undefined) {
      const chosen = source.audio.find((s) => s.streamIndex === requested);
      if (!chosen) {
        const choices = source.audio.map((s) => s.streamIndex);
        throw new BadRequestException(
          choices.length
            ? `audio must be the index of one of this item's audio streams: ${choices.join(', ')}`
            : 'This item has no audio stream to choose',
        );
      }
      return chosen;
    }
    return source.audio.find((s) => s.isDefault) ?? source.audio[0] ?? null;
  }

  ladder(source: HlsSource): Rendition[] {
    const stream = source.video;
    const video = stream
      ? {
          width: stream.width!,
          height: stream.height!,
          frameRate: stream.frameRate,
          rotation: stream.rotation,
          sampleAspectRatio: stream.sampleAspectRatio,
          interlaced: stream.interlaced,
          hdr: stream.hdr,
        }
      : null;
    return renditionLadder(video, source.audio.length > 0);
  }

  variant(source: HlsSource, name: HlsRendition, requestedAudio?: number): HlsVariant {
    const ladder = this.ladder(source);
    const rendition = ladder.find((r) => r.name === name);
    if (!rendition) {
      throw new NotFoundException(`This item has no ${name} rendition; it has: ${ladder.map((r) => r.name).join(', ') || 'none'}`);
    }
    const audio = this.audioStream(source, requestedAudio);
    const usesAudio = rendition.kind === 'audio' || rendition.withAudio;
    const audioStreamIndex = usesAudio && audio ? audio.streamIndex : null;
    const videoStreamIndex = rendition.kind === 'video' ? source.video!.streamIndex : null;
    const key = variantKey({
      fileId: source.file.id,
      fileSize: source.file.size,
      fileMtime: source.file.mtime,
      videoStreamIndex,
      audioStreamIndex,
      rendition,
      ...(source.parts.length > 1
        ? { laterParts: source.parts.slice(1).map((part) => `${part.id}:${part.size}:${part.mtime.getTime()}`) }
        : {}),
    });
    const durationMs = source.parts.reduce((sum, part) => sum + part.durationMs!, 0);
    return { source, rendition, audioStreamIndex, videoStreamIndex, key, plan: segmentPlan(durationMs) };
  }
}
