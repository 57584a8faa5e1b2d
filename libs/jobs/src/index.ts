export * from './entities/job-run.entity.js';
export * from './processors/library-maintenance.processor.js';
export * from './queue.service.js';
export * from './queues.module.js';
export * from './jobs-worker.module.js';
export * from './processors/base.processor.js';
