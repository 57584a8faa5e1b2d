// bench/scan: files per second of Marquee's library scan on a generated tree (probe excluded: the
// per-file jobs are queued, not run), side by side with a bare walk + stat of the same tree in the
// same run (the floor no scanner can beat). Anchor: Navidrome's unchanged rescan runs at ~4,700 files/s.
// Each run also shows the CPU time it took in this process and in the PostgreSQL backends serving it
// (when PostgreSQL runs on this machine): on a machine busy with other work, wall time swings, CPU
// time much less.
// Run: `npm run bench:scan` (FILES=10000 to change the size; DATABASE_URL to use a server, else an
// embedded PostgreSQL).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchDatabase } from './lib/bench-database.mjs';

const dist = (path) => new URL(`../dist/${path}`, import.meta.url).href;
const { loadConfig, ConfigModule, DatabaseModule, QueueBackendModule } = await import(dist('libs/core/src/index.js'));
const { QueuesModule } = await import(dist('libs/jobs/src/index.js'));
const { SettingsModule } = await import(dist('libs/system/src/settings.module.js'));
const { ArtworkModule } = await import(dist('libs/library/src/artwork/artwork.module.js'));
const { LibraryScanner } = await import(dist('libs/library/src/scanning/library-scanner.js'));
const { SidecarWork } = await import(dist('libs/library/src/scanning/sidecar-work.js'));
const { SidecarMetadata } = await import(dist('libs/library/src/scanning/sidecar-metadata.js'));
const { MediaPipeline } = await import(dist('libs/library/src/processing/media-pipeline.js'));
const { Library } = await import(dist('libs/library/src/entities/library.entity.js'));
const { walkTree } = await import(dist('libs/media/src/index.js'));
const { NestFactory } = await import('@nestjs/core');
const { Module } = await import('@nestjs/common');

const FILES = Number(process.env.FILES ?? 10_000);

/**
 * A mixed tree like a real one: films in their folders (some with an NFO), series with seasons,
 * and photo folders. Files are small (the scan reads at most 128 KiB of each for its oshash).
 */
function generateTree(root, count) {
  const bytes = Buffer.alloc(4096);
  let made = 0;
  const write = (path) => {
    // Distinct content, so every file has its own oshash as in a real library.
    bytes.writeUInt32LE(made, 0);
    writeFileSync(path, bytes);
    made++;
  };
  for (let film = 0; made < count * 0.3; film++) {
    const dir = join(root, 'Films', `Film ${film} (${1950 + (film % 70)})`);
    mkdirSync(dir, { recursive: true });
    write(join(dir, `Film ${film} (${1950 + (film % 70)}).mkv`));
    if (film % 4 === 0) writeFileSync(join(dir, 'movie.nfo'), `<movie><title>Film ${film}</title><plot>Plot ${film}</plot></movie>`);
  }
  for (let show = 0; made < count * 0.7; show++) {
    for (let season = 1; season <= 4 && made < count * 0.7; season++) {
      const dir = join(root, 'Series', `Show ${show}`, `Season ${String(season).padStart(2, '0')}`);
      mkdirSync(dir, { recursive: true });
      for (let episode = 1; episode <= 12 && made < count * 0.7; episode++)
        write(join(dir, `Show ${show} - S${String(season).padStart(2, '0')}E${String(episode).padStart(2, '0')} - Episode.mkv`));
    }
  }
  for (let album = 0; made < count; album++) {
    const dir = join(root, 'Photos', `Trip ${album}`);
    mkdirSync(dir, { recursive: true });
    for (let photo = 0; photo < 50 && made < count; photo++) write(join(dir, `IMG_${String(photo).padStart(4, '0')}.jpg`));
  }
  return made;
}

const rate = (files, ms) => Math.round(files / (ms / 1000));

/** CPU milliseconds used so far by this process, and by the bench database's PostgreSQL backends (null when not readable here). */
async function cpuTime(dataSource, database) {
  const own = process.cpuUsage();
  const backends = await dataSource.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database]);
  const postgres = new Map();
  for (const { pid } of backends) {
    try {
      // utime and stime, in clock ticks (100 a second on Linux), after the command name.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      postgres.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    } catch {
      return { node: (own.user + own.system) / 1000, postgres: null };
    }
  }
  return { node: (own.user + own.system) / 1000, postgres };
}

function cpuSpent(before, after) {
  const node = after.node - before.node;
  if (!before.postgres || !after.postgres) return { node, postgres: null };
  let postgres = 0;
  for (const [pid, ms] of after.postgres) postgres += ms - (before.postgres.get(pid) ?? 0);
  return { node, postgres };
}

const media = mkdtempSync(join(tmpdir(), 'marquee-bench-media-'));
const db = await benchDatabase();
try {
  const files = generateTree(media, FILES);
  const config = loadConfig(
    {
      DATABASE_URL: db.url,
      MARQUEE_DATA_DIR: mkdtempSync(join(tmpdir(), 'marquee-bench-data-')),
      LOG_LEVEL: 'error',
      MARQUEE_MIN_FREE_DISK_MB: '1',
    },
    { requireDatabaseUrl: true },
  );
  // The scanner and what it needs, without the processors: nothing runs the queued per-file jobs.
  class BenchModule {}
  Module({
    imports: [ConfigModule.forRoot(config), DatabaseModule, QueueBackendModule, QueuesModule, SettingsModule, ArtworkModule],
    providers: [LibraryScanner, SidecarWork, SidecarMetadata, MediaPipeline],
  })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error'] });
  const { DataSource } = await import('typeorm');
  const dataSource = app.get(DataSource);
  const scanner = app.get(LibraryScanner);
  const library = await dataSource.getRepository(Library).save({ name: 'Bench', kind: 'mixed', folders: [media] });
  console.log(
    `bench/scan: ${files} files in a generated tree (Node ${process.version}, PostgreSQL ${process.env.DATABASE_URL ? 'server' : 'embedded'})`,
  );

  let started = performance.now();
  let walked = 0;
  for await (const directory of walkTree(media)) walked += directory.files.length;
  const walkMs = performance.now() - started;

  const database = new URL(db.url).pathname.slice(1);
  const timed = async (options) => {
    const fresh = await dataSource.getRepository(Library).findOneByOrFail({ id: library.id });
    const cpu0 = await cpuTime(dataSource, database);
    const t0 = performance.now();
    const summary = await scanner.scan(fresh, options);
    const ms = performance.now() - t0;
    return { ms, summary, cpu: cpuSpent(cpu0, await cpuTime(dataSource, database)) };
  };
  const firstBare = await timed({ enqueueDownstream: false });
  await dataSource.query(`DELETE FROM media_items WHERE "libraryId" = $1`, [library.id]);
  await dataSource.query(`UPDATE libraries SET "lastScannedAt" = NULL WHERE id = $1`, [library.id]);
  const first = await timed({});
  const queued = (await dataSource.query(`SELECT count(*)::int AS n FROM job_runs`))[0].n;
  const rescan = await timed({});

  const rows = [
    ['reference: walk + stat only (no catalogue)', walked, walkMs],
    ['first scan, per-file jobs not queued', firstBare.summary.files, firstBare.ms, firstBare.cpu],
    [`first scan, ${queued} per-file jobs queued`, first.summary.files, first.ms, first.cpu],
    ['no-change rescan', rescan.summary.unchanged, rescan.ms, rescan.cpu],
  ];
  for (const [label, count, ms, cpu] of rows) {
    const cpuText = !cpu
      ? ''
      : `   CPU ${Math.round(cpu.node)} ms node` + (cpu.postgres === null ? '' : ` + ${Math.round(cpu.postgres)} ms PostgreSQL`);
    console.log(
      `${label.padEnd(48)} ${String(count).padStart(6)} files ${String(Math.round(ms)).padStart(7)} ms ${String(rate(count, ms)).padStart(7)} files/s${cpuText}`,
    );
  }
  console.log('anchors: Navidrome unchanged rescan ~4,700 files/s; target first scan >= 1,000 files/s before probing');
  await app.close();
} finally {
  await db.drop();
  rmSync(media, { recursive: true, force: true });
}
