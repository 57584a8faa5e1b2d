import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AHEAD_SEGMENTS, HEARTBEAT_STALE_MS, IDLE_LEASE_MS, NEGLECTED_MS } from '../hls.constants.js';
import { HlsTranscode, type TranscodeState } from './hls-transcode.entity.js';

/** A queued transcode whose job row is not there yet (it is written right after) counts as alive this long. */
const ENQUEUE_GRACE_MS = 10_000;

/** A live transcode as the api sees it: is it still alive, and which segments will it make soon? */
export interface LiveTranscode {
  id: string;
  state: TranscodeState;
  startSegment: number;
  nextSegment: number;
  lastSegment: number;
  alive: boolean;
  viewers: Record<string, number>;
}

export interface NewTranscode {
  itemId: string;
  fileId: string;
  variantKey: string;
  rendition: string;
  audioStreamIndex: number | null;
  startSegment: number;
  lastSegment: number;
  userId: string;
}

/** TypeORM answers an UPDATE … RETURNING with [rows, affected count]; other statements with the rows. */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

/** Will this transcode make segment `index` soon (it has started at or before it, and is not far behind it)? */
export function covers(transcode: Pick<LiveTranscode, 'startSegment' | 'nextSegment' | 'lastSegment'>, index: number): boolean {
  return index >= transcode.startSegment && index <= transcode.lastSegment && index <= transcode.nextSegment + AHEAD_SEGMENTS;
}

const ALIVE_SQL = `(t.state = 'running' AND t."heartbeatAt" > now() - make_interval(secs => ${HEARTBEAT_STALE_MS / 1000}))
  OR (t.state = 'queued' AND (t."createdAt" > now() - make_interval(secs => ${ENQUEUE_GRACE_MS / 1000}) OR j.state IN ('queued', 'active')))`;

/**
 * The `hls_transcodes` rows: the only state the api replicas and the workers share about running
 * transcodes. Every decision that could race (starting one, stopping one) is a single conditional
 * statement or runs under a per-variant advisory lock.
 */
@Injectable()
export class TranscodeStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The variant's transcodes in a live state, with whether each is really alive. */
  async live(variantKey: string, manager: EntityManager = this.dataSource.manager): Promise<LiveTranscode[]> {
    const rows = await manager.query<LiveTranscode[]>(
      `SELECT t.id, t.state, t."startSegment", t."nextSegment", t."lastSegment", t.viewers, (${ALIVE_SQL}) AS alive
         FROM hls_transcodes t LEFT JOIN job_runs j ON j.id = t."jobId"
        WHERE t."variantKey" = $1 AND t.state IN ('queued', 'running')
        ORDER BY t."startSegment" DESC`,
      [variantKey],
    );
    return rows;
  }

  /** The caller asked for a segment these transcodes make: they stay leased, and the caller is one of their viewers. */
  async touch(ids: string[], userId: string, index: number): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE hls_transcodes SET "lastRequestAt" = now(), viewers = viewers || jsonb_build_object($2::text, $3::bigint),
              "requestedSegment" = GREATEST("requestedSegment", $4)
        WHERE id = ANY($1::uuid[]) AND state IN ('queued', 'running')`,
      [ids, userId, Date.now(), index],
    );
  }

  /** A cached segment was served: the transcodes whose run includes it are still wanted by the caller. */
  async touchCovering(variantKey: string, index: number, userId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE hls_transcodes SET "lastRequestAt" = now(), viewers = viewers || jsonb_build_object($3::text, $4::bigint),
              "requestedSegment" = GREATEST("requestedSegment", $2)
        WHERE "variantKey" = $1 AND state IN ('queued', 'running') AND "startSegment" <= $2 AND "lastSegment" >= $2`,
      [variantKey, index, userId, Date.now()],
    );
  }

  /**
   * The live transcode of the variant that will make `index` soon, or a new one started at `index`;
   * null when `isMade` says the segment exists after all. It is asked after the live transcodes were
   * read: a transcode publishes its segments before it ends, so one that ended since the caller last
   * looked for the file has left it there, and must not be started again.
   */
  async findOrStart(request: NewTranscode, isMade: () => Promise<boolean>): Promise<{ transcode: LiveTranscode; created: boolean } | null> {
    return this.dataSource.transaction(async (manager) => {
      // One decision at a time per variant, across every api replica.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('hls:' || $1))`, [request.variantKey]);
      const live = await this.live(request.variantKey, manager);
      const dead = live.filter((t) => !t.alive).map((t) => t.id);
      if (dead.length) await this.end(dead, 'lost', 'its worker stopped reporting', manager);
      const covering = live.find((t) => t.alive && covers(t, request.startSegment));
      if (covering) return { transcode: covering, created: false };
      if (await isMade()) return null;
      // A seek: the caller's own transcodes of this variant that nobody else watches are of no more use.
      const superseded = live
        .filter((t) => t.alive && Object.keys(t.viewers).every((viewer) => viewer === request.userId))
        .map((t) => t.id);
      if (superseded.length) await this.end(superseded, 'superseded', undefined, manager);
      const id = randomUUID();
      await manager.query(
        `INSERT INTO hls_transcodes (id, "itemId", "fileId", "variantKey", rendition, "audioStreamIndex", "startSegment", "nextSegment",
                                     "lastSegment", "requestedSegment", state, viewers, "lastRequestAt")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $7, 'queued', jsonb_build_object($9::text, $10::bigint), now())`,
        [
          id,
          request.itemId,
          request.fileId,
          request.variantKey,
          request.rendition,
          request.audioStreamIndex,
          request.startSegment,
          request.lastSegment,
          request.userId,
          Date.now(),
        ],
      );
      return {
        transcode: {
          id,
          state: 'queued' as const,
          startSegment: request.startSegment,
          nextSegment: request.startSegment,
          lastSegment: request.lastSegment,
          alive: true,
          viewers: { [request.userId]: Date.now() },
        },
        created: true,
      };
    });
  }

  async stateOf(id: string): Promise<TranscodeState | undefined> {
    const rows = await this.dataSource.query<{ state: TranscodeState }[]>(`SELECT state FROM hls_transcodes WHERE id = $1`, [id]);
    return rows[0]?.state;
  }

  async setJob(id: string, jobId: string): Promise<void> {
    await this.dataSource.query(`UPDATE hls_transcodes SET "jobId" = $2 WHERE id = $1`, [id, jobId]);
  }

  /**
   * The caller's transcodes of this item, other than `keep`, that only the caller watches and that the
   * caller stopped asking for a while ago: a player that switched renditions leaves them behind.
   */
  async stopNeglected(itemId: string, userId: string, keep: string): Promise<number> {
    const rows = returnedRows<{ id: string }>(
      await this.dataSource.query(
        `UPDATE hls_transcodes SET state = 'superseded', "endedAt" = now()
        WHERE "itemId" = $1 AND id <> $3 AND state IN ('queued', 'running')
          AND viewers ? $2 AND (SELECT count(*) FROM jsonb_object_keys(viewers)) = 1
          AND "lastRequestAt" < now() - make_interval(secs => $4)
        RETURNING id`,
        [itemId, userId, keep, NEGLECTED_MS / 1000],
      ),
    );
    return rows.length;
  }

  /**
   * The stop call: the caller leaves every live transcode of the item; those nobody else has asked
   * from within the idle lease end at once. Returns how many ended and how many others still use.
   */
  async stopForViewer(itemId: string, userId: string): Promise<{ stopped: number; left: number }> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager.query<{ id: string; viewers: Record<string, number> }[]>(
        `SELECT id, viewers FROM hls_transcodes WHERE "itemId" = $1 AND state IN ('queued', 'running') AND viewers ? $2 FOR UPDATE`,
        [itemId, userId],
      );
      const cutoff = Date.now() - IDLE_LEASE_MS;
      const stop: string[] = [];
      const leave: string[] = [];
      for (const row of rows) {
        const others = Object.entries(row.viewers).filter(([viewer, at]) => viewer !== userId && Number(at) > cutoff);
        (others.length ? leave : stop).push(row.id);
      }
      if (stop.length) await this.end(stop, 'stopped', undefined, manager);
      if (leave.length)
        await manager.query(`UPDATE hls_transcodes SET viewers = viewers - $2::text WHERE id = ANY($1::uuid[])`, [leave, userId]);
      return { stopped: stop.length, left: leave.length };
    });
  }

  /** The last transcode of this variant covering `index` that failed in the last `withinMs`, if any. */
  async recentFailure(variantKey: string, index: number, withinMs: number): Promise<string | undefined> {
    const rows = await this.dataSource.query<{ error: string | null }[]>(
      `SELECT error FROM hls_transcodes WHERE "variantKey" = $1 AND state = 'failed' AND "startSegment" <= $2 AND "lastSegment" >= $2
          AND "endedAt" > now() - make_interval(secs => $3) ORDER BY "endedAt" DESC LIMIT 1`,
      [variantKey, index, withinMs / 1000],
    );
    return rows[0] ? (rows[0].error ?? 'the transcode failed') : undefined;
  }

  /**
   * Did a transcode of this variant run through `index` and end without making it? (The picture or
   * the sound can end a little before the probed duration: there is then nothing to cut there.)
   */
  async endedShortOf(variantKey: string, index: number): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM hls_transcodes WHERE "variantKey" = $1 AND state = 'finished' AND "startSegment" <= $2 AND "lastSegment" >= $2
          AND "nextSegment" <= $2 LIMIT 1`,
      [variantKey, index],
    );
    return rows.length > 0;
  }

  /** Ends live transcodes (a worker running one sees it at its next heartbeat and stops ffmpeg). */
  async end(ids: string[], state: TranscodeState, error?: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(
      `UPDATE hls_transcodes SET state = $2, error = coalesce($3, error), "endedAt" = now() WHERE id = ANY($1::uuid[]) AND state IN ('queued', 'running')`,
      [ids, state, error ?? null],
    );
  }

  // ── the worker's side ──

  async get(id: string): Promise<HlsTranscode | null> {
    return this.dataSource.getRepository(HlsTranscode).findOneBy({ id });
  }

  /**
   * A worker takes a queued transcode, or one whose worker died (a stalled job handed over). Returns
   * null when it is no longer wanted (stopped, idle, taken over by a live worker…).
   */
  async claim(id: string, worker: { id: string; host: string; pid: number }): Promise<HlsTranscode | null> {
    const rows = returnedRows<HlsTranscode>(
      await this.dataSource.query(
        `UPDATE hls_transcodes SET state = 'running', "workerId" = $2, host = $3, "workerPid" = $4, "heartbeatAt" = now()
        WHERE id = $1 AND "lastRequestAt" > now() - make_interval(secs => $5)
          AND (state = 'queued' OR (state = 'running' AND "heartbeatAt" < now() - make_interval(secs => $6)))
        RETURNING *`,
        [id, worker.id, worker.host, worker.pid, IDLE_LEASE_MS / 1000, HEARTBEAT_STALE_MS / 1000],
      ),
    );
    return rows[0] ?? null;
  }

  /**
   * The worker's proof of life, with how far it got. Answers whether it should go on: 'stop' when
   * the row left the running state (stop call, seek, taken for dead), 'idle' when nobody asked for
   * a segment within the lease (the row is then ended as idle); and the furthest segment asked for.
   */
  async heartbeat(
    id: string,
    workerId: string,
    nextSegment: number,
  ): Promise<{ verdict: 'continue' | 'stop' | 'idle'; requestedSegment: number }> {
    const rows = returnedRows<{ idle: boolean; requestedSegment: number }>(
      await this.dataSource.query(
        `UPDATE hls_transcodes SET "heartbeatAt" = now(), "nextSegment" = GREATEST("nextSegment", $3)
        WHERE id = $1 AND "workerId" = $2 AND state = 'running'
        RETURNING "lastRequestAt" < now() - make_interval(secs => $4) AS idle, "requestedSegment"`,
        [id, workerId, nextSegment, IDLE_LEASE_MS / 1000],
      ),
    );
    if (!rows[0]) return { verdict: 'stop', requestedSegment: -1 };
    const { requestedSegment } = rows[0];
    if (!rows[0].idle) return { verdict: 'continue', requestedSegment };
    await this.dataSource.query(
      `UPDATE hls_transcodes SET state = 'idle', "endedAt" = now() WHERE id = $1 AND "workerId" = $2 AND state = 'running'`,
      [id, workerId],
    );
    return { verdict: 'idle', requestedSegment };
  }

  /** The run is over: its final state (unless something else ended it first) and how far it got. */
  async finish(id: string, workerId: string, state: TranscodeState, nextSegment: number, error?: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE hls_transcodes SET "nextSegment" = GREATEST("nextSegment", $4),
              state = CASE WHEN state = 'running' THEN $3 ELSE state END,
              error = CASE WHEN state = 'running' THEN $5 ELSE error END,
              "endedAt" = coalesce("endedAt", now())
        WHERE id = $1 AND "workerId" = $2`,
      [id, workerId, state, nextSegment, error ?? null],
    );
  }
}
