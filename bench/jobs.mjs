// bench/jobs: throughput of no-op jobs through Marquee's enqueue() + processor wrapper + ledger,
// side by side with raw BullMQ on the same backend, in the same run — PostgreSQL backend always,
// Redis when REDIS_URL is set. Run: `npm run bench:jobs` (JOBS=2000 CONCURRENCY=8 to change sizes).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { benchDatabase } from './lib/bench-database.mjs';

const dist = (path) => new URL(`../dist/${path}`, import.meta.url).href;
const { loadConfig, selectQueueBackend } = await import(dist('libs/core/src/index.js'));
const { NestFactory } = await import('@nestjs/core');
const { AppModule } = await import(dist('apps/api/app.module.js'));
const { WorkerModule } = await import(dist('apps/worker/worker.module.js'));
const { JobLedger, LibraryMaintenanceProcessor } = await import(dist('libs/jobs/src/index.js'));
const { Queue, Worker } = await import('bullmq');

const JOBS = Number(process.env.JOBS ?? 2000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const IN_FLIGHT = 16;

/** Adds `count` jobs with at most IN_FLIGHT adds pending, and resolves when `done()` reaches count. */
async function drive(count, add, completed) {
  const started = performance.now();
  let next = 0;
  const adders = Array.from({ length: IN_FLIGHT }, async () => {
    while (next < count) {
      next++;
      await add();
    }
  });
  await Promise.all(adders);
  await completed;
  return performance.now() - started;
}

async function rawBullmq({ connection, prefix }, label) {
  const name = `bench-raw-${randomUUID().slice(0, 8)}`;
  const queue = new Queue(name, { connection, prefix });
  let done = 0;
  let finish;
  const completed = new Promise((resolve) => (finish = resolve));
  const worker = new Worker(name, async (job) => ({ nonce: job.data.nonce }), { connection, prefix, concurrency: CONCURRENCY });
  worker.on('completed', () => ++done === JOBS && finish());
  await worker.waitUntilReady();
  const ms = await drive(JOBS, () => queue.add('noop', { nonce: randomUUID() }, { removeOnComplete: true }), completed);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return { label, ms };
}

async function marquee(config, label) {
  const api = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: false });
  const workerApp = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
  const worker = workerApp.get(LibraryMaintenanceProcessor).worker;
  worker.concurrency = CONCURRENCY;
  let done = 0;
  let finish;
  const completed = new Promise((resolve) => (finish = resolve));
  worker.on('completed', (job) => job.name === 'ping' && ++done === JOBS && finish());
  const ledger = api.get(JobLedger);
  const ms = await drive(
    JOBS,
    () => ledger.enqueue('library-maintenance', 'ping', { sentAt: new Date().toISOString(), nonce: randomUUID() }),
    completed,
  );
  await workerApp.close();
  await api.close();
  return { label, ms };
}

const db = await benchDatabase();
const rows = [];
try {
  for (const backend of process.env.REDIS_URL ? ['postgres', 'redis'] : ['postgres']) {
    const config = loadConfig(
      {
        DATABASE_URL: db.url,
        ...(backend === 'redis' ? { REDIS_URL: process.env.REDIS_URL } : {}),
        MARQUEE_DATA_DIR: mkdtempSync(join(tmpdir(), 'marquee-bench-data-')),
        LOG_LEVEL: 'silent',
        MARQUEE_MIN_FREE_DISK_MB: '1',
      },
      { requireDatabaseUrl: true },
    );
    const raw = await rawBullmq(selectQueueBackend(config), `raw BullMQ (${backend})`);
    const ours = await marquee(config, `Marquee enqueue + wrapper + ledger (${backend})`);
    rows.push({ ...raw, backend }, { ...ours, backend, ratio: raw.ms / ours.ms });
  }
} finally {
  await db.drop();
}

console.log(`\n${JOBS} no-op jobs, worker concurrency ${CONCURRENCY}, ${IN_FLIGHT} enqueues in flight\n`);
console.log('| run | jobs/s | ms | vs raw BullMQ |');
console.log('|---|---:|---:|---:|');
for (const r of rows) {
  const perSecond = (JOBS / (r.ms / 1000)).toFixed(0);
  console.log(`| ${r.label} | ${perSecond} | ${r.ms.toFixed(0)} | ${r.ratio ? `${(r.ratio * 100).toFixed(0)} %` : '—'} |`);
}
process.exit(0);
