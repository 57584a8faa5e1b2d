import { hostname } from 'node:os';

const startedAt = new Date();

/** Who this process is, for heartbeats and job results: `<host>:<pid>`. */
export const PROCESS_IDENTITY = {
  id: `${hostname()}:${process.pid}`,
  hostname: hostname(),
  pid: process.pid,
  startedAt,
} as const;
