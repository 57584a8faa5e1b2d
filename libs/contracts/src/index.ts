export * from './enums.js';
export * from './problem.js';
export * from './queues.js';
export * from './routes.js';
export * from './system.js';
export * from './library.js';
export * from './streaming.js';
export * from './users-data.js';
