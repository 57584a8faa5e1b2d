import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from './supervisor.js';

const dir = mkdtempSync(join(tmpdir(), 'marquee-supervisor-'));
function script(name: string, body: string): string {
  const file = join(dir, `${name}.cjs`);
  writeFileSync(file, body);
  return file;
}

const longRunning = script('long', `process.on('SIGTERM', () => { setTimeout(() => process.exit(0), 50); }); setInterval(() => {}, 1000);`);
const crashing = script('crash', `setTimeout(() => process.exit(3), 50);`);
const misconfigured = script('config', `process.exit(78);`);
const stubbornReady = join(dir, 'stubborn.ready');
const stubborn = script(
  'stubborn',
  `process.on('SIGTERM', () => {}); require('fs').writeFileSync(${JSON.stringify(stubbornReady)}, 'ready'); setInterval(() => {}, 1000);`,
);

describe('Supervisor', () => {
  const spec = (name: string, file: string) => ({ name, script: file, env: process.env });

  it('reports and restarts a crashed child, and gives up after too many crashes', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor([spec('api', longRunning), spec('worker', crashing)], {
      log: (l) => lines.push(l),
      maxRestarts: 2,
      restartDelayMs: 10,
    });
    supervisor.start();
    expect(await supervisor.done).toBe(1);
    expect(lines).toEqual([
      'worker exited with code 3 unexpectedly; restarting in 0.01s (restart 1 of 2)',
      'worker exited with code 3 unexpectedly; restarting in 0.01s (restart 2 of 2)',
      'worker exited with code 3; it crashed 3 times within 60s, stopping Marquee',
    ]);
  });

  it('does not restart a child that failed on its configuration', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor([spec('api', misconfigured), spec('worker', longRunning)], { log: (l) => lines.push(l) });
    supervisor.start();
    expect(await supervisor.done).toBe(78);
    expect(lines).toEqual(['api exited with code 78 (configuration error); stopping Marquee']);
  });

  it('stop() ends every child with SIGTERM, and SIGKILL after the timeout', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor([spec('api', longRunning), spec('worker', stubborn)], {
      log: (l) => lines.push(l),
      stopTimeoutMs: 300,
    });
    supervisor.start();
    // Only a child that already ignores SIGTERM proves the SIGKILL fallback.
    while (!existsSync(stubbornReady)) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await supervisor.stop(0)).toBe(0);
    expect(lines).toEqual(['worker did not stop within 0.3s; killing it']);
  });
});
