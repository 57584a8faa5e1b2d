export type QueueBackendKind = 'redis' | 'postgres';

export interface WorkerStatus {
  id: string;
  hostname: string;
  pid: number;
  version: string;
  startedAt: string;
  lastSeenAt: string;
  /** Seen within the heartbeat window. */
  alive: boolean;
  /** The worker's own readiness checks at its last heartbeat: check name → up/down (+ message). */
  checks: Record<string, { status: 'up' | 'down'; message?: string }>;
}

export interface SystemStatus {
  name: 'Marquee';
  version: string;
  uptimeSeconds: number;
  backends: {
    database: 'embedded-postgres' | 'postgres';
    queue: QueueBackendKind;
  };
  workers: WorkerStatus[];
  counts: {
    users: number;
    libraries: number;
    items: number;
    jobs: number;
  };
}
