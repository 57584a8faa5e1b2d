import type { JobChangedEvent, JobRunView } from '@marquee/contracts';
import { applyJobEvent, matchesFilters } from './job-table.js';

const row = (id: string, state: JobRunView['state'] = 'queued'): JobRunView => ({
  id,
  queue: 'media-probe',
  name: 'probe',
  state,
  targetType: 'item',
  targetId: 't1',
  targetLabel: 'Alien.mkv',
  progress: 0,
  progressMessage: null,
  attempts: 0,
  maxAttempts: 3,
  priority: 0,
  cancelRequestedAt: null,
  workerId: null,
  durationMs: null,
  logCount: 0,
  error: null,
  createdAt: '2026-01-01T00:00:00Z',
  startedAt: null,
  finishedAt: null,
  updatedAt: '2026-01-01T00:00:00Z',
});

const event = (id: string, state: JobChangedEvent['state'], extra: Partial<JobChangedEvent> = {}): JobChangedEvent => ({
  id,
  queue: 'media-probe',
  name: 'probe',
  state,
  progress: 50,
  progressMessage: null,
  attempts: 1,
  targetType: 'item',
  targetId: 't1',
  targetLabel: 'Alien.mkv',
  error: null,
  at: '2026-01-01T00:01:00Z',
  ...extra,
});

describe('live job table', () => {
  it('updates a listed job in place', () => {
    const { rows, totalDelta } = applyJobEvent([row('a'), row('b')], event('b', 'active'), {}, 50);
    expect(rows.map((r) => [r.id, r.state, r.progress])).toEqual([
      ['a', 'queued', 0],
      ['b', 'active', 50],
    ]);
    expect(rows[1].maxAttempts).toBe(3);
    expect(totalDelta).toBe(0);
  });

  it('drops a job that no longer matches the filters, and adds one that now does', () => {
    const failedOnly = { state: 'failed' };
    expect(applyJobEvent([row('a', 'failed')], event('a', 'queued'), failedOnly, 50)).toMatchObject({ rows: [], totalDelta: -1 });
    const added = applyJobEvent([row('a', 'failed')], event('n', 'failed', { error: 'boom' }), failedOnly, 50);
    expect(added.rows.map((r) => r.id)).toEqual(['n', 'a']);
    expect(added.totalDelta).toBe(1);
    expect(applyJobEvent([row('a', 'failed')], event('n', 'active'), failedOnly, 50)).toMatchObject({ totalDelta: 0 });
  });

  it('keeps the page at its size', () => {
    expect(applyJobEvent([row('a'), row('b')], event('c', 'queued'), {}, 2).rows.map((r) => r.id)).toEqual(['c', 'a']);
  });

  it('filters by queue, target and text like the server', () => {
    const e = event('1234', 'failed', { error: 'ffprobe: Invalid data' });
    expect(matchesFilters(e, { queue: 'media-probe', targetId: 't1' })).toBe(true);
    expect(matchesFilters(e, { queue: 'thumbnail' })).toBe(false);
    expect(matchesFilters(e, { targetId: 't2' })).toBe(false);
    expect(matchesFilters(e, { q: 'INVALID' })).toBe(true);
    expect(matchesFilters(e, { q: 'alien' })).toBe(true);
    expect(matchesFilters(e, { q: '123' })).toBe(true);
    expect(matchesFilters(e, { q: 'nothing' })).toBe(false);
  });
});
