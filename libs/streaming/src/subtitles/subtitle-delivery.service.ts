import { createHash } from 'node:crypto';
import {
  BadRequestException,
  ConflictException,
  Injectable,
  InternalServerErrorException,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isTextSubtitleCodec, type MediaFileJobPayload } from '@marquee/contracts';
import { JOB_PRIORITY, JobLedger, QueueService } from '@marquee/jobs';
import type { MediaStream } from '@marquee/library';
import { DataSource } from 'typeorm';
import { continuingSidecar } from './part-sidecars.js';
import { findSidecarSubtitles, MAX_SIDECAR_BYTES, readSidecar, type SidecarContent, type SidecarSubtitle } from './sidecar-discovery.js';
import { sidecarCues, sidecarToVtt } from './sidecar-to-vtt.js';
import { SubtitleStore } from './subtitle-store.js';
import { SubtitleTracksService } from './subtitle-tracks.service.js';
import { parseTrackId } from './track-id.js';
import { unprobedPart, type VideoSource, VideoSources } from './video-source.js';
import { type Cue, serializeVtt } from './webvtt.js';

export interface WebVttDocument {
  body: string;
  /** Quoted, as the ETag header wants it. */
  etag: string;
}

/** 503 with a Retry-After: the WebVTT is being made and was not ready in time. */
export class SubtitleNotReadyException extends ServiceUnavailableException {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail);
  }
}

/** After a failed extraction, requests answer with its error for this long instead of queueing it again. */
const FAILURE_MEMORY_MS = 10 * 60_000;
const RETRY_AFTER_SECONDS = 10;
/** Bumped when the converters change, so cached sidecar ETags do not outlive a fix. */
const CONVERTER_VERSION = '1';

const IMAGE_CODEC_NAMES: Record<string, string> = {
  hdmv_pgs_subtitle: 'PGS',
  dvd_subtitle: 'DVD (VobSub)',
  dvb_subtitle: 'DVB',
  xsub: 'XSUB',
};

const quote = (text: unknown) => JSON.stringify(String(text).slice(0, 40));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One subtitle track as WebVTT. Sidecars are converted in-process on each request (SRT and ASS/SSA
 * by our own converters). Embedded streams come from the cache the `extract-subtitles` job fills;
 * a track not yet extracted queues that job (interactive, deduplicated per file) and waits for it a
 * bounded time, else answers 503 with Retry-After.
 */
@Injectable()
export class SubtitleDeliveryService {
  private readonly logger = new Logger(SubtitleDeliveryService.name);
  /** How long a request waits for an extraction; tests shorten it. */
  waitMs = 20_000;
  pollMs = 200;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sources: VideoSources,
    private readonly tracks: SubtitleTracksService,
    private readonly store: SubtitleStore,
    private readonly ledger: JobLedger,
    private readonly queues: QueueService,
  ) {}

  async webvtt(itemId: string, trackId: string): Promise<WebVttDocument> {
    const ref = parseTrackId(trackId);
    if (!ref) throw new BadRequestException(`${quote(trackId)} is not a subtitle track id: expected a stream index (2) or ext-<n> (ext-1)`);
    const source = await this.sources.forItem(itemId);
    if (!source) throw new NotFoundException(`Item ${itemId} has no video file, so it has no subtitles`);
    return ref.kind === 'external' ? this.sidecar(source, trackId) : this.embedded(source, ref.streamIndex);
  }

  private async sidecar(source: VideoSource, trackId: string): Promise<WebVttDocument> {
    const sidecars = await findSidecarSubtitles(source.file.path, source.library.folders);
    const sidecar = sidecars.find((candidate) => candidate.id === trackId);
    if (!sidecar) throw new NotFoundException(`Item ${source.item.id} has no subtitle file ${trackId} (it has ${sidecars.length})`);
    if (source.parts.length > 1) return this.partsSidecar(source, sidecar, sidecars);
    const content = await readSidecarOrRefuse(sidecar);
    return { body: sidecarToVtt(sidecar.format, content.data), etag: sidecarEtag([sidecarVersion(sidecar, content)]) };
  }

  /**
   * A film in parts plays as one (HLS): its sidecar track is the first part's file followed by the
   * matching file of every later part (see continuingSidecar), each shifted by the running time of the
   * parts before it. A part without a matching file leaves a gap.
   */
  private async partsSidecar(source: VideoSource, first: SidecarSubtitle, firstSidecars: SidecarSubtitle[]): Promise<WebVttDocument> {
    assertPartsProbed(source);
    const cues: Cue[] = [];
    const versions: string[] = [];
    let offsetMs = 0;
    for (const [index, part] of source.parts.entries()) {
      const sidecar =
        index === 0 ? first : continuingSidecar(first, firstSidecars, await findSidecarSubtitles(part.path, source.library.folders));
      if (sidecar) {
        const content = await readSidecarOrRefuse(sidecar);
        const shift = offsetMs;
        cues.push(
          ...sidecarCues(sidecar.format, content.data).map((cue) => ({ ...cue, startMs: cue.startMs + shift, endMs: cue.endMs + shift })),
        );
        versions.push(sidecarVersion(sidecar, content));
      } else versions.push(`part ${index + 1}: none`);
      offsetMs += part.durationMs!;
    }
    return { body: serializeVtt(cues), etag: sidecarEtag(versions) };
  }

  private async embedded(source: VideoSource, streamIndex: number): Promise<WebVttDocument> {
    const { item, version } = source;
    const streams = await this.tracks.embeddedStreams(source, { includeImages: true });
    const stream = streams.find((candidate) => candidate.streamIndex === streamIndex);
    if (!stream) throw new NotFoundException(`Item ${item.id} has no subtitle stream ${streamIndex}`);
    if (!isTextSubtitleCodec(stream.codec)) throw new NotFoundException(imageStreamDetail(stream));
    assertPartsProbed(source);
    const etag = `"${version}-${streamIndex}"`;
    const cached = await this.store.read(item.id, version, streamIndex);
    if (cached !== undefined) return { body: cached, etag };

    const failure = await this.recentFailure(item.id);
    if (failure) throw new InternalServerErrorException(`Extracting the subtitles of item ${item.id} failed: ${failure}`);
    const job = await this.ledger.enqueue<MediaFileJobPayload>(
      'extract-subtitles',
      'extract-subtitles',
      { fileId: source.file.id },
      { type: 'item', id: item.id, label: item.title },
      { dedupeKey: `extract-subtitles:${source.file.id}`, priority: 'interactive' },
    );
    if (job.deduplicated) await this.hurry(job.id);
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const body = await this.store.read(item.id, version, streamIndex);
      if (body !== undefined) return { body, etag };
      const state = await this.jobState(job.id);
      if (state?.state === 'failed' || state?.state === 'cancelled')
        throw new InternalServerErrorException(
          `Extracting subtitle stream ${streamIndex} of item ${item.id} failed: ${state.error ?? state.state}`,
        );
      if (state?.state === 'completed') {
        // The job may have finished just before the file check above: look once more.
        const late = await this.store.read(item.id, version, streamIndex);
        if (late !== undefined) return { body: late, etag };
        throw new InternalServerErrorException(`Extraction finished without subtitle stream ${streamIndex} of item ${item.id}`);
      }
      if (Date.now() >= deadline) break;
      await sleep(this.pollMs);
    }
    throw new SubtitleNotReadyException(
      `Subtitle stream ${streamIndex} of item ${item.id} is being extracted (job ${job.id}); retry in ${RETRY_AFTER_SECONDS} s`,
      RETRY_AFTER_SECONDS,
    );
  }

  /** The error of the item's latest extraction when it failed for good a short while ago. */
  private async recentFailure(itemId: string): Promise<string | undefined> {
    const [latest] = await this.dataSource.query<{ state: string; error: string | null; recent: boolean }[]>(
      `SELECT state, error, "finishedAt" > now() - make_interval(secs => $2) AS recent FROM job_runs
        WHERE "targetType" = 'item' AND "targetId" = $1 AND queue = 'extract-subtitles' ORDER BY "createdAt" DESC LIMIT 1`,
      [itemId, FAILURE_MEMORY_MS / 1000],
    );
    return latest?.state === 'failed' && latest.recent ? (latest.error ?? 'unknown error') : undefined;
  }

  private async jobState(jobId: string): Promise<{ state: string; error: string | null } | undefined> {
    const [row] = await this.dataSource.query<{ state: string; error: string | null }[]>(
      `SELECT state, error FROM job_runs WHERE id = $1`,
      [jobId],
    );
    return row;
  }

  /** A queued backfill job for the same file now has a user waiting on it: move it ahead. */
  private async hurry(jobId: string): Promise<void> {
    try {
      const job = await this.queues.queue('extract-subtitles').getJob(jobId);
      if (!job || (job.opts.priority ?? 0) <= JOB_PRIORITY.interactive) return;
      const state = await job.getState();
      if (state === 'waiting' || state === 'prioritized') await job.changePriority({ priority: JOB_PRIORITY.interactive });
    } catch (error) {
      this.logger.debug(`could not raise the priority of job ${jobId}: ${(error as Error).message}`);
    }
  }
}

/** A film in parts plays its tracks over all of them, which needs every part's running time. */
function assertPartsProbed(source: VideoSource): void {
  const unprobed = unprobedPart(source);
  if (unprobed)
    throw new ConflictException(
      `Part ${unprobed} of item ${source.item.id} has not been probed yet; try again once its probe job has finished`,
    );
}

async function readSidecarOrRefuse(sidecar: SidecarSubtitle): Promise<Exclude<SidecarContent, string>> {
  const content = await readSidecar(sidecar);
  if (content === 'too-large')
    throw new PayloadTooLargeException(`The subtitle file ${sidecar.fileName} is larger than ${MAX_SIDECAR_BYTES / 1024 / 1024} MiB`);
  if (content === 'unreadable') throw new NotFoundException(`The subtitle file ${sidecar.fileName} cannot be read`);
  return content;
}

const sidecarVersion = (sidecar: SidecarSubtitle, content: { size: number; mtimeMs: number }) =>
  `${sidecar.path}:${content.size}:${content.mtimeMs}`;

/** Changes with the converters and with every file the track is made of. */
function sidecarEtag(versions: string[]): string {
  return `"${createHash('sha256')
    .update(`${CONVERTER_VERSION}:${versions.join('|')}`)
    .digest('hex')
    .slice(0, 20)}"`;
}

function imageStreamDetail(stream: MediaStream): string {
  const kind = IMAGE_CODEC_NAMES[stream.codec ?? ''] ?? stream.codec ?? 'unknown';
  return `Subtitle stream ${stream.streamIndex} is ${kind} (image-based), which cannot be converted to WebVTT`;
}
