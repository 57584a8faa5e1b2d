import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Processor } from '@nestjs/bullmq';
import { HttpException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type HlsTranscodeJobPayload, isHlsRendition, type QueueName } from '@marquee/contracts';
import { AppConfig, PROCESS_IDENTITY, resolveBinary } from '@marquee/core';
import { type JobContext, LedgerProcessor, QUEUE_POLICIES, WORKER_OPTIONS } from '@marquee/jobs';
import { Library } from '@marquee/library/entities/library.entity.js';
import { runFfmpeg } from '@marquee/media';
import { type Job, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { HEARTBEAT_MS, HEARTBEAT_STALE_MS, RUN_AHEAD_SEGMENTS } from '../hls.constants.js';
import { PARTS_LIST_FILE } from '../../parts/concat-list.js';
import { transcodeCommand, type TranscodeRun } from '../planning/transcode-args.js';
import type { HlsTranscode } from '../sessions/hls-transcode.entity.js';
import { TranscodeStore } from '../sessions/transcode-store.js';
import { type HlsVariant, HlsSourceService } from '../source/hls-source.service.js';
import { isInside, isTranscodeId } from '../storage/hls-paths.js';
import { HlsStorage } from '../storage/hls-storage.js';
import { SegmentPublisher } from './segment-publisher.js';

/** How often the work folder is checked for finished segments. */
const PUBLISH_POLL_MS = 100;
/** ffmpeg's deadline: this many seconds per second of media, plus a margin (idle lease and stop calls end it sooner). */
const SECONDS_PER_MEDIA_SECOND = 5;
const TIMEOUT_MARGIN_MS = 10 * 60_000;

class SourceUnusableError extends Error {}

class TranscodeEnded extends Error {
  constructor(readonly reason: 'stop' | 'idle' | 'ahead' | 'unreachable') {
    super(`transcode ended: ${reason}`);
  }
}

const WORKER = { id: PROCESS_IDENTITY.id, host: PROCESS_IDENTITY.hostname, pid: PROCESS_IDENTITY.pid };

/**
 * `hls-transcode`: one ffmpeg run making a variant's segments from a given one on, under the heavy-job
 * cap. It claims its `hls_transcodes` row, publishes each segment the moment ffmpeg finishes it,
 * and every half second proves itself alive and learns whether to stop: a stop call, a seek that
 * superseded it, nobody asking for segments any more (idle lease), or a cancel from the dashboard
 * all kill ffmpeg at once. Its work folder goes when it ends, whatever the reason.
 */
@Processor('hls-transcode', { ...WORKER_OPTIONS, concurrency: QUEUE_POLICIES['hls-transcode'].concurrency })
export class HlsTranscodeProcessor extends LedgerProcessor {
  protected readonly queueName: QueueName = 'hls-transcode';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly store: TranscodeStore,
    private readonly sources: HlsSourceService,
    private readonly storage: HlsStorage,
  ) {
    super();
  }

  protected async handle(job: Job<HlsTranscodeJobPayload>, ctx: JobContext): Promise<Record<string, unknown>> {
    const id = job.data?.transcodeId;
    if (typeof id !== 'string' || !isTranscodeId(id))
      throw new UnrecoverableError('The job payload needs "transcodeId", the id of an hls_transcodes row');
    const transcode = await this.store.claim(id, WORKER);
    if (!transcode) return this.skip(id);

    let variant: HlsVariant;
    let sources: TranscodeRun['sources'];
    try {
      ({ variant, sources } = await this.resolve(transcode));
    } catch (error) {
      const message = (error as Error).message;
      // A source that cannot be transcoded fails the transcode (requests report it); anything else
      // (the database out of reach…) leaves it for the next request to start again.
      const unusable = error instanceof SourceUnusableError || error instanceof HttpException;
      await this.store.finish(id, WORKER.id, unusable ? 'failed' : 'lost', transcode.nextSegment, message);
      throw unusable ? new UnrecoverableError(message) : error;
    }

    // A run handed over from a worker that died goes on from the first segment it had not published.
    const start = Math.max(transcode.startSegment, transcode.nextSegment);
    if (start > transcode.lastSegment) {
      await this.store.finish(id, WORKER.id, 'finished', start);
      return { transcodeId: id, published: 0, note: 'nothing left to make' };
    }
    const workDir = this.storage.sessionDir(id);
    await rm(workDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true });
    const command = transcodeCommand({
      sources,
      videoStreamIndex: variant.videoStreamIndex,
      audioStreamIndex: variant.audioStreamIndex,
      rendition: variant.rendition,
      plan: variant.plan,
      startSegment: start,
      lastSegment: transcode.lastSegment,
      workDir,
    });
    if (command.partsList) await writeFile(join(workDir, PARTS_LIST_FILE), command.partsList);
    const total = command.lastSegment - start + 1;
    const publisher = new SegmentPublisher(this.storage, variant.key, workDir, { first: start, last: command.lastSegment });
    // Not awaited: the viewer is waiting for ffmpeg, not for the log line.
    void ctx
      .log(`${variant.rendition.name} segments ${start}–${command.lastSegment} of ${variant.key} on ${WORKER.id}`)
      .catch(() => undefined);

    const ended = new AbortController();
    const watch = this.watch(id, publisher, ended, ctx, total, transcode.requestedSegment);
    const summary = () => ({ transcodeId: id, from: start, next: publisher.next, published: publisher.count, of: total });
    try {
      const ffmpeg = resolveBinary('ffmpeg', this.config.ffmpegPath).path;
      await runFfmpeg(ffmpeg, command.args, {
        signal: AbortSignal.any([ctx.signal, ended.signal]),
        timeoutMs: command.seconds * SECONDS_PER_MEDIA_SECOND * 1000 + TIMEOUT_MARGIN_MS,
      });
      await watch.stop();
      await publisher.publish();
      await this.store.finish(id, WORKER.id, 'finished', publisher.next);
      return { ...summary(), ended: 'finished' };
    } catch (error) {
      await watch.stop();
      await publisher.publish().catch(() => undefined);
      if (ended.signal.aborted) {
        const reason = (ended.signal.reason as TranscodeEnded).reason;
        const state = reason === 'idle' || reason === 'ahead' ? reason : 'stopped';
        await this.store.finish(id, WORKER.id, state, publisher.next);
        return { ...summary(), ended: reason };
      }
      const message = (error as Error).message;
      if (ctx.signal.aborted) {
        await this.store.finish(id, WORKER.id, 'cancelled', publisher.next, message);
        throw error;
      }
      await this.store.finish(id, WORKER.id, 'failed', publisher.next, message);
      throw new UnrecoverableError(message);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /** Not claimed: already ended, taken by a live worker, or unused for a whole lease while it waited. */
  private async skip(id: string): Promise<Record<string, unknown>> {
    const row = await this.store.get(id);
    if (row?.state === 'queued') await this.store.end([id], 'idle');
    return {
      transcodeId: id,
      skipped: row ? `the transcode is ${row.state === 'queued' ? 'no longer wanted' : row.state}` : 'the transcode is gone',
    };
  }

  /** The variant the row describes, recomputed from the catalogue, and its files checked to lie inside their library. */
  private async resolve(transcode: HlsTranscode): Promise<{ variant: HlsVariant; sources: TranscodeRun['sources'] }> {
    if (!isHlsRendition(transcode.rendition)) throw new SourceUnusableError(`Unknown rendition ${JSON.stringify(transcode.rendition)}`);
    const source = await this.sources.load(transcode.itemId);
    if (source.file.id !== transcode.fileId)
      throw new SourceUnusableError('The item now streams another file; the transcode was for the previous one');
    const variant = this.sources.variant(source, transcode.rendition, transcode.audioStreamIndex ?? undefined);
    if (variant.key !== transcode.variantKey)
      throw new SourceUnusableError('The source file or the encoding settings changed since the transcode was asked for');
    const library = await this.dataSource.getRepository(Library).findOneBy({ id: source.file.libraryId });
    for (const part of source.parts) {
      if (part.libraryId !== source.file.libraryId || !library?.folders.some((folder) => isInside(folder, part.path)))
        throw new SourceUnusableError(`${part.path} is outside the folders of its library`);
      if (/[\r\n]/.test(part.path))
        throw new SourceUnusableError(`${JSON.stringify(part.path)}: a name with a line break cannot be transcoded`);
    }
    return { variant, sources: source.parts.map((part) => ({ path: part.path, durationMs: part.durationMs! })) };
  }

  /**
   * Publishes finished segments as soon as ffmpeg lists them and, every HEARTBEAT_MS, reports
   * progress, proves the run alive and learns whether it should end. It also ends once it is
   * RUN_AHEAD_SEGMENTS past the furthest segment asked for. A worker that cannot reach the database
   * for as long as others would take it for dead stops too: another transcode may already have
   * replaced it.
   */
  private watch(id: string, publisher: SegmentPublisher, ended: AbortController, ctx: JobContext, total: number, requested: number) {
    let lastBeat = Date.now();
    let nextBeat = Date.now() + HEARTBEAT_MS;
    let running = true;
    const tick = async () => {
      try {
        await publisher.publish();
        if (publisher.next - 1 >= requested + RUN_AHEAD_SEGMENTS) return ended.abort(new TranscodeEnded('ahead'));
        if (Date.now() < nextBeat) return;
        nextBeat = Date.now() + HEARTBEAT_MS;
        const beat = await this.store.heartbeat(id, WORKER.id, publisher.next);
        lastBeat = Date.now();
        requested = Math.max(requested, beat.requestedSegment);
        if (beat.verdict !== 'continue') ended.abort(new TranscodeEnded(beat.verdict));
        await ctx.progress((publisher.count / total) * 100, `${publisher.count} of ${total} segments`);
      } catch (error) {
        this.logger.warn(`transcode ${id}: ${(error as Error).message}`);
        if (Date.now() - lastBeat > HEARTBEAT_STALE_MS) ended.abort(new TranscodeEnded('unreachable'));
      }
    };
    const loop = (async () => {
      while (running && !ended.signal.aborted) {
        await new Promise((resolve) => setTimeout(resolve, PUBLISH_POLL_MS));
        if (running) await tick();
      }
    })();
    return {
      async stop() {
        running = false;
        await loop;
      },
    };
  }
}
