export * from './trickplay.service.js';
export * from './trickplay-store.js';
export * from './trickplay-manifest.js';
export * from './trickplay-plan.js';
export * from './trickplay-http.module.js';
export * from './trickplay-worker.module.js';
