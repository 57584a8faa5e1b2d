import type { JobChangedEvent, JobRunView } from '@marquee/contracts';

export interface JobFilters {
  queue?: string;
  state?: string;
  targetId?: string;
  q?: string;
}

/** Whether a job (as an event describes it) belongs in a table filtered this way. */
export function matchesFilters(
  job: Pick<JobChangedEvent, 'queue' | 'state' | 'targetId' | 'name' | 'targetLabel' | 'error' | 'id'>,
  filters: JobFilters,
): boolean {
  if (filters.queue && job.queue !== filters.queue) return false;
  if (filters.state && job.state !== filters.state) return false;
  if (filters.targetId && job.targetId !== filters.targetId) return false;
  if (filters.q) {
    const haystack = `${job.name} ${job.targetLabel ?? ''} ${job.error ?? ''} ${job.id}`.toLowerCase();
    if (!haystack.includes(filters.q.toLowerCase())) return false;
  }
  return true;
}

/**
 * Applies a live job event to the first page of the table (newest first): a listed job is updated in
 * place (or dropped when it no longer matches the filters); a new matching job goes on top.
 * Returns the rows and how the total changed.
 */
export function applyJobEvent(
  rows: readonly JobRunView[],
  event: JobChangedEvent,
  filters: JobFilters,
  limit: number,
): { rows: JobRunView[]; totalDelta: number } {
  const index = rows.findIndex((r) => r.id === event.id);
  const matches = matchesFilters(event, filters);
  if (index >= 0) {
    if (!matches) return { rows: rows.filter((_, i) => i !== index), totalDelta: -1 };
    const updated: JobRunView = {
      ...rows[index],
      state: event.state,
      progress: event.progress,
      progressMessage: event.progressMessage,
      attempts: event.attempts,
      error: event.error,
      updatedAt: event.at,
    };
    return { rows: rows.map((r, i) => (i === index ? updated : r)), totalDelta: 0 };
  }
  if (!matches) return { rows: [...rows], totalDelta: 0 };
  const created: JobRunView = {
    id: event.id,
    queue: event.queue,
    name: event.name,
    state: event.state,
    targetType: event.targetType,
    targetId: event.targetId,
    targetLabel: event.targetLabel,
    progress: event.progress,
    progressMessage: event.progressMessage,
    attempts: event.attempts,
    maxAttempts: event.attempts,
    priority: 0,
    cancelRequestedAt: null,
    workerId: null,
    durationMs: null,
    logCount: 0,
    error: event.error,
    createdAt: event.at,
    startedAt: null,
    finishedAt: null,
    updatedAt: event.at,
  };
  return { rows: [created, ...rows].slice(0, limit), totalDelta: 1 };
}
