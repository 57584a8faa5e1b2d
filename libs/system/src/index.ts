export * from './entities/worker-heartbeat.entity.js';
export * from './heartbeat.constants.js';
export * from './system-http.module.js';
export * from './system-status.service.js';
export * from './system-worker.module.js';
export * from './worker-heartbeat.service.js';
