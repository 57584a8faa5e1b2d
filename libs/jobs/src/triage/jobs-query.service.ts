import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ValidationProblem } from '@marquee/core/http/problem.js';
import { DataSource } from 'typeorm';
import { JobLog } from '../entities/job-log.entity.js';
import { JobRun } from '../entities/job-run.entity.js';
import type { JobSort, JobsQueryDto } from './dto.js';

/** A ledger row as the list shows it: no payload, result or stack, and the error cut short. */
export type JobListItem = Omit<JobRun, 'payload' | 'result' | 'stack'>;

export interface JobList {
  items: JobListItem[];
  total: number;
  limit: number;
  offset: number;
}

export interface JobDetail extends JobRun {
  logs: { at: Date; level: JobLog['level']; message: string }[];
  timings: {
    /** From creation to the start of the latest attempt (or until now, while queued). */
    queuedMs: number | null;
    /** The latest attempt's run time (or until now, while active). */
    runMs: number | null;
  };
}

const LIST_ERROR_LENGTH = 500;

const LIST_COLUMNS = [
  'id',
  'queue',
  'name',
  'state',
  'targetType',
  'targetId',
  'targetLabel',
  'progress',
  'progressMessage',
  'attempts',
  'maxAttempts',
  'priority',
  'dedupeKey',
  'cancelRequestedAt',
  'workerId',
  'durationMs',
  'logCount',
  'createdAt',
  'startedAt',
  'finishedAt',
  'updatedAt',
]
  .map((column) => `"${column}"`)
  .concat(`left(error, ${LIST_ERROR_LENGTH}) AS error`)
  .join(', ');

/** Every order ends on the id, so pages are stable when timestamps tie. */
const ORDER_BY: Record<JobSort, string> = {
  '-createdAt': `"createdAt" DESC, id DESC`,
  createdAt: `"createdAt" ASC, id ASC`,
  '-finishedAt': `"finishedAt" DESC NULLS LAST, id DESC`,
  finishedAt: `"finishedAt" ASC NULLS LAST, id ASC`,
  '-durationMs': `"durationMs" DESC NULLS LAST, id DESC`,
  durationMs: `"durationMs" ASC NULLS LAST, id ASC`,
};

/**
 * What `q` searches: name, target label, error and id as one string, so a single trigram index can
 * serve it — `CREATE INDEX … USING gin ((<this expression>) gin_trgm_ops)` (pg_trgm) keeps a search of
 * 100k+ rows around a millisecond; without it the search scans the table.
 */
export const JOB_SEARCH_EXPRESSION = `(name || ' ' || coalesce("targetLabel", '') || ' ' || coalesce(error, '') || ' ' || id)`;

/** `%` and `_` in a search are literal characters, not wildcards. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Reads of the job ledger for the dashboard: the filtered list and one job with its log. */
@Injectable()
export class JobsQueryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(query: JobsQueryDto): Promise<JobList> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && from > to) throw new ValidationProblem([{ field: 'to', message: 'to must not be earlier than from' }]);

    if (query.queue) where.push(`queue = ${param(query.queue)}`);
    if (query.state) where.push(`state = ${param(query.state)}`);
    if (query.targetType) where.push(`"targetType" = ${param(query.targetType)}`);
    if (query.targetId) where.push(`"targetId" = ${param(query.targetId)}`);
    if (from) where.push(`"createdAt" >= ${param(from)}`);
    if (to) where.push(`"createdAt" < ${param(to)}`);
    if (query.q) {
      where.push(`${JOB_SEARCH_EXPRESSION} ILIKE ${param(`%${escapeLike(query.q)}%`)}`);
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const filterParams = [...params];
    const page = `SELECT ${LIST_COLUMNS} FROM job_runs ${whereSql} ORDER BY ${ORDER_BY[query.sort]} LIMIT ${param(query.limit)} OFFSET ${param(query.offset)}`;

    const [items, counted] = await Promise.all([
      this.dataSource.query<JobListItem[]>(page, params),
      this.dataSource.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM job_runs ${whereSql}`, filterParams),
    ]);
    return { items, total: counted[0].total, limit: query.limit, offset: query.offset };
  }

  async get(id: string): Promise<JobDetail> {
    const run = await this.dataSource.getRepository(JobRun).findOneBy({ id });
    if (!run) throw new NotFoundException(`No job with id ${id}`);
    const logs = await this.dataSource.getRepository(JobLog).find({
      select: { at: true, level: true, message: true },
      where: { jobId: id },
      order: { id: 'ASC' },
    });
    return { ...run, logs: logs.map(({ at, level, message }) => ({ at, level, message })), timings: timings(run) };
  }

  /** The ledger row or a 404; for the admin actions. */
  async find(id: string): Promise<JobRun> {
    const run = await this.dataSource.getRepository(JobRun).findOneBy({ id });
    if (!run) throw new NotFoundException(`No job with id ${id}`);
    return run;
  }
}

function timings(run: JobRun, now = Date.now()): JobDetail['timings'] {
  const created = run.createdAt.getTime();
  const started = run.startedAt?.getTime();
  const finished = run.finishedAt?.getTime();
  let queuedMs: number | null = null;
  if (started !== undefined) queuedMs = started - created;
  else if (run.state === 'queued') queuedMs = now - created;
  else if (finished !== undefined) queuedMs = finished - created; // cancelled before it ever ran
  let runMs: number | null = null;
  if (started !== undefined) {
    if (run.state === 'active') runMs = now - started;
    else if (run.durationMs !== null) runMs = run.durationMs;
    else if (finished !== undefined) runMs = Math.max(0, finished - started);
  }
  return { queuedMs: queuedMs === null ? null : Math.max(0, queuedMs), runMs };
}
