import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveBinary } from '@marquee/core/binaries/resolve-binary.js';
import { projectRoot } from '@marquee/core/config/project-root.js';
import { DEMO_FOLDERS, DEMO_MARKER, generateDemoLibrary } from './demo-library.js';

/**
 * `npm run demo`: generates a small sample library with ffmpeg (once, in ./demo-library or
 * MARQUEE_DEMO_DIR) and starts Marquee on it, with its own data dir (./data-demo unless
 * MARQUEE_DATA_DIR is set) so the demo never mixes with a real installation. Each demo folder
 * becomes a library at first start and is scanned. `--generate-only` stops after the files.
 */
async function main(): Promise<void> {
  const root = projectRoot();
  const demoDir = process.env.MARQUEE_DEMO_DIR || join(root, 'demo-library');
  const log = (line: string) => process.stdout.write(`marquee demo: ${line}\n`);

  if (existsSync(join(demoDir, DEMO_MARKER))) {
    log(`using the sample library in ${demoDir}`);
  } else {
    const ffmpeg = resolveBinary('ffmpeg', process.env.FFMPEG_PATH);
    log(`generating a sample library in ${demoDir} with ${ffmpeg.path}`);
    await generateDemoLibrary(demoDir, ffmpeg.path, (line) => log(`  ${line}`));
  }
  if (process.argv.includes('--generate-only')) return;

  const env = {
    ...process.env,
    MARQUEE_DATA_DIR: process.env.MARQUEE_DATA_DIR || join(root, 'data-demo'),
    MARQUEE_MEDIA_DIRS: DEMO_FOLDERS.map((folder) => join(demoDir, folder)).join(','),
  };
  log(`data dir ${env.MARQUEE_DATA_DIR}; the first account you create is the administrator`);
  const child = spawn(process.execPath, [join(root, 'dist/apps/supervisor/main.js')], { env, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`marquee demo: ${(error as Error).message}\n`);
  process.exit(1);
});
